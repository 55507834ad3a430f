"""Full-text search over published editions, in the reader's language.

Both databases find word forms and answer a query with the same sections. Text and query are
cut into words and reduced to stems as PostgreSQL's ``english`` and ``russian`` configurations
do (Snowball stemmers; stop words left out; Latin-script words stemmed as English in Russian
too), so "маркировка" finds "маркировки" and "marked" finds "markings". A query reads as
``websearch_to_tsquery`` reads it: every word must occur, "quoted words" must occur in that
order, ``or`` between words accepts either side and ``-`` before a word excludes it; no input
is a syntax error. Titles weigh more than bodies in the ranking.

PostgreSQL: each frozen section carries a weighted tsvector per language (title A, body B),
built once when its edition is published and indexed with GIN.

SQLite: publication writes each section's stemmed title and text to an FTS5 table per language
(migration 0016), ranked with bm25, the title weighing more. analyze() stands in for
PostgreSQL's parser and dictionaries: words, hyphenated words (the whole, then each part),
numbers and document symbols such as S/RES/2370 become the same lexemes at the same positions,
so that phrases match alike. Two differences remain. Where a quoted phrase has a stop word
("маркировка и учёт"), PostgreSQL accepts any word in its place, SQLite only a stop word.
And PostgreSQL ships its own copy of Snowball: where its version differs from the
snowballstemmer package, a few English words stem differently (Snowball 3 keeps
"international" apart from "internal", PostgreSQL 15's Snowball 2 does not).
"""

import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from html import escape
from typing import NamedTuple

import snowballstemmer
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.db import connections, transaction
from django.db.models import F, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.safestring import SafeString, mark_safe

CONFIGS = {"en": "english", "ru": "russian"}
MAX_QUERY_LENGTH = 200
_START, _STOP = "\x02", "\x03"
_MARKDOWN_NOISE = re.compile(r"\[\^[^\]]*\]|[*_#|`>]+|\s-{3,}\s")
NUMBER = re.compile(r"^(?:[A-Za-z]+\.?\s?)?\d+(?:\.\d+)*$")

# SQLite: one FTS5 table per language, its rowid the EditionSection's id (migration 0016).
FTS_TABLE = "modules_editionsection_fts_{lang}"
# bm25 weights of the FTS5 columns: a title's words, in both, weigh 1.4 to a body's 0.4 (on
# PostgreSQL, by default, weight A is 1.0 and weight B 0.4).
TITLE_WEIGHT, TEXT_WEIGHT = 1.0, 0.4
_GAP = "\ue000"  # a stop word's place in an FTS5 document
_EVERY = "\ue001"  # opens every FTS5 title: "-word" alone asks for every section without it

# PostgreSQL's stop word lists (tsearch_data/english.stop and russian.stop, from Snowball),
# kept as text: a list literal would take a line a word.
STOP_WORDS = {
    "english": frozenset(
        """
        i me my myself we our ours ourselves you your yours yourself yourselves he him
        his himself she her hers herself it its itself they them their theirs themselves
        what which who whom this that these those am is are was were be been being have
        has had having do does did doing a an the and but if or because as until while
        of at by for with about against between into through during before after above
        below to from up down in out on off over under again further then once here
        there when where why how all any both each few more most other some such no nor
        not only own same so than too very s t can will just don should now
        """.split()  # noqa: SIM905
    ),
    "russian": frozenset(
        """
        и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по
        только ее мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли
        если уже или ни быть был него до вас нибудь опять уж вам ведь там потом себя
        ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без
        будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой
        совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех
        никогда можно при наконец два об другой хоть после над больше тот через эти нас
        про всего них какая много разве три эту моя впрочем хорошо свою этой перед
        иногда лучше чуть том нельзя такой им более всегда конечно всю между
        """.split()  # noqa: SIM905
    ),
}


class SearchDocumentField(SearchVectorField):
    """A tsvector on PostgreSQL; unused text elsewhere (SQLite indexes in its FTS5 tables)."""

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


def _analyze(alias: str, table: str) -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")  # the model's own table name, quoted


def _on_postgresql(sections: QuerySet) -> bool:
    return connections[sections.db].vendor == "postgresql"


# --- Words and lexemes, as PostgreSQL's default parser and dictionaries make them --------

_LETTER, _ALNUM = r"[^\W\d_]", r"[^\W_]"  # once other digits and numerals are blanked
_PART = rf"{_ALNUM}*{_LETTER}{_ALNUM}*"  # of a hyphenated word: holds a letter
_HOST = r"(?:[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\.)+[A-Za-z]{2,}(?![A-Za-z0-9])"
_SYMBOL_PART = r"[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*"
_TOKEN = re.compile(
    rf"""
    (?P<skip>[A-Za-z][A-Za-z0-9+.-]*://|</?[A-Za-z][^<>]*>
             |&(?:[A-Za-z][A-Za-z0-9]*|\#[0-9]+|\#[xX][0-9A-Fa-f]+);)
  | (?P<email>[A-Za-z0-9][\w.+-]*@{_HOST})
  | (?P<url>{_HOST}(?:/[!\#-;=?-\[\]_a-z~]+)?)
  | (?P<symbol>(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*|[0-9]+)?(?:/{_SYMBOL_PART})+
              |[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)+)
  | (?P<number>[-+]?[0-9]+(?:\.[0-9]+)+(?:[eE][-+]?[0-9]+)?|[-+][0-9]+)
  | (?P<hyphenated>{_PART}(?:-{_PART})+)
  | (?P<word>{_ALNUM}+)
    """,
    re.VERBOSE,
)
_NON_ASCII_RUN = re.compile(r"[^\W_a-zA-Z0-9]+")
_stemmers = threading.local()  # a Snowball stemmer keeps state while it works


class Token(NamedTuple):
    start: int
    end: int
    lexeme: str | None  # None: a stop word, which keeps its place in phrases


def _letters_only(run: re.Match) -> str:
    """Blank the numerals and non-Latin digits PostgreSQL counts neither letter nor digit."""
    text = run.group(0)
    return text if text.isalpha() else "".join(c if c.isalpha() else " " for c in text)


@lru_cache(maxsize=65536)
def _stem(config: str, word: str) -> str | None:
    word = word.lower()
    if word in STOP_WORDS[config]:
        return None
    stemmers = _stemmers.__dict__.setdefault("by_config", {})
    if config not in stemmers:
        stemmers[config] = snowballstemmer.stemmer(config)
    return stemmers[config].stemWord(word)


def _lexeme(word: str, lang: str) -> str | None:
    """Words with digits are kept as they are; Latin-script words are English in any language."""
    if any(c.isdigit() for c in word):
        return word.lower()
    return _stem("english" if word.isascii() else CONFIGS[lang], word)


def analyze(text: str, lang: str) -> list[Token]:
    """The lexemes of ``text``, one per position, as ``to_tsvector`` finds them."""
    return list(tokens(text, lang))


def tokens(text: str, lang: str) -> Iterator[Token]:
    """analyze(), one token at a time: a reader that stops early stems no further."""
    hyphenated_end = -1
    for match in _TOKEN.finditer(_NON_ASCII_RUN.sub(_letters_only, text)):
        kind, value, start, end = match.lastgroup, match.group(0), match.start(), match.end()
        if kind == "skip":  # tags, entities, "https://"
            continue
        if kind == "hyphenated":  # the whole word, then each part
            yield Token(start, end, _lexeme(value, lang))
            for part in re.finditer(_ALNUM + "+", value):
                word = part.group(0)
                yield Token(start + part.start(), start + part.end(), _lexeme(word, lang))
            hyphenated_end = end
        elif kind == "word":
            yield Token(start, end, _lexeme(value, lang))
        elif kind == "url" and "/" in value:  # the address, its host, its path
            host = value.partition("/")[0]
            yield Token(start, end, value.lower())
            yield Token(start, start + len(host), host.lower())
            yield Token(start + len(host), end, value[len(host) :].lower())
        elif kind == "number" and value[0] == "-" and start == hyphenated_end:
            yield Token(start + 1, end, value[1:])  # "a-b-1": a hyphen, not a sign
        else:
            yield Token(start, end, value.lower())


def _lexemes(text: str, lang: str) -> list[str | None]:
    return [token.lexeme for token in analyze(text, lang)]


def _without_trailing_stop_words(lexemes: list[str | None]) -> list[str | None]:
    while lexemes and lexemes[-1] is None:
        lexemes = lexemes[:-1]
    return lexemes


def fts5_columns(title: str, body: str, lang: str) -> tuple[str, str]:
    """A section's two FTS5 columns, lexemes apart by whitespace only: its title, then its
    whole text as PostgreSQL's ``title || body`` tsvector holds it (the body following the
    title's last word), so that a phrase can run from one into the other there too."""
    title_lexemes = _lexemes(title, lang)
    whole = _without_trailing_stop_words(title_lexemes) + _lexemes(body, lang)
    return (
        " ".join([_EVERY, *(lexeme or _GAP for lexeme in title_lexemes)]),
        " ".join(lexeme or _GAP for lexeme in whole),
    )


# --- Queries, read as websearch_to_tsquery reads them ------------------------------------

_OPERATORS = frozenset("!&|()<")  # skipped wherever they stand


class Operand(NamedTuple):
    text: str  # as typed, without quotes
    lexemes: tuple[str | None, ...]  # a phrase; None where a stop word keeps a place
    negated: bool


def parse_query(query: str, lang: str) -> list[list[Operand]]:
    """Alternatives (``or``), each a list of operands that must all occur (or, negated, not).

    Words or stop words only (an empty list) match nothing.
    """
    query = query[:MAX_QUERY_LENGTH]
    alternatives: list[list[Operand]] = [[]]
    negated, expect_operand, i = False, True, 0
    while i < len(query):
        char = query[i]
        if not expect_operand:
            if char.isspace() or char in _OPERATORS:
                i += 1
                continue
            if _is_or(query, i):
                alternatives.append([])
                i += 2
            expect_operand = True  # otherwise words side by side must all occur
            continue
        if char == "-":
            negated, i = not negated, i + 1
            continue
        if char.isspace() or char in _OPERATORS:
            i += 1
            continue
        if char == '"':  # to the closing quote, or to the end
            end = query.find('"', i + 1)
            end = len(query) if end < 0 else end
            text, i = query[i + 1 : end], end + 1
        else:
            end = i
            while end < len(query) and not _ends_word(query[end]):
                end += 1
            text, i = query[i:end], end
        lexemes = _without_trailing_stop_words(_lexemes(text, lang))[::-1]
        lexemes = _without_trailing_stop_words(lexemes)[::-1]  # nor leading ones
        if lexemes:  # an operand of stop words only drops out, with its "-"
            alternatives[-1].append(Operand(text, tuple(lexemes), negated))
        negated, expect_operand = False, False
    return [operands for operands in alternatives if operands]


def _ends_word(char: str) -> bool:
    return char.isspace() or char in _OPERATORS or char == '"'


def _is_or(query: str, i: int) -> bool:
    """Whether the "or" at ``i`` joins two operands (PostgreSQL's parse_or_operator)."""
    after = query[i + 2 : i + 3]
    return (
        query[i : i + 2].lower() == "or"
        and after != ""
        and not (after in "-_" or after.isalnum())
        and query[i + 3 :].strip() != ""
    )


def _websearch(alternatives: list[list[Operand]]) -> str:
    """The parsed query written out again for websearch_to_tsquery: the same meaning, each
    operand quoted and negated at most once (a long run of "-" overflows its stack)."""
    return " or ".join(
        " ".join(f'{"-" if o.negated else ""}"{o.text}"' for o in operands)
        for operands in alternatives
    )


def _fts5(alternatives: list[list[Operand]]) -> str:
    """The parsed query as an FTS5 expression: every operand a quoted phrase, no syntax left."""

    def phrase(lexemes: tuple[str | None, ...]) -> str:
        return '"' + " ".join(lexeme or _GAP for lexeme in lexemes).replace('"', '""') + '"'

    expressions = []
    for operands in alternatives:
        wanted = [phrase(o.lexemes) for o in operands if not o.negated]
        unwanted = [phrase(o.lexemes) for o in operands if o.negated]
        expression = "(" + (" AND ".join(wanted) or phrase((_EVERY,))) + ")"
        expressions.append("(" + " NOT ".join([expression, *unwanted]) + ")")
    return " OR ".join(expressions)


# --- Index and search --------------------------------------------------------------------


def _localized(field: str, lang: str):
    """The field in ``lang``, or in English where that language is empty."""
    if lang == "en":
        return F(f"{field}_en")
    text: TextField[str, str] = TextField()
    return Coalesce(
        NullIf(F(f"{field}_{lang}"), Value(""), output_field=text),
        F(f"{field}_en"),
        output_field=text,
    )


def index_sections(sections: QuerySet) -> None:
    """Index frozen sections for search (once, when their edition is published).

    Takes a queryset so that migrations can pass their historical model.
    """
    if _on_postgresql(sections):
        sections.update(
            **{
                f"search_{lang}": SearchVector(_localized("title", lang), weight="A", config=config)
                + SearchVector(_localized("body", lang), weight="B", config=config)
                for lang, config in CONFIGS.items()
            }
        )
        # The planner's statistics are those of before the edition (autovacuum catches up
        # only later): renewed once it is committed, so searches use the GIN indexes from the
        # first reader on. ANALYZE reads a sample of rows, whatever the table's size.
        table = connections[sections.db].ops.quote_name(sections.model._meta.db_table)
        transaction.on_commit(lambda: _analyze(sections.db, table), using=sections.db)
        return
    rows = list(
        sections.values("pk", *[f"{f}_{lang}" for f in ("title", "body") for lang in CONFIGS])
    )
    if not rows:
        return
    with connections[sections.db].cursor() as cursor:
        for lang in CONFIGS:
            # The text in English where that language is empty, as _localized() gives it.
            documents = [
                (
                    row["pk"],
                    *fts5_columns(
                        row[f"title_{lang}"] or row["title_en"],
                        row[f"body_{lang}"] or row["body_en"],
                        lang,
                    ),
                )
                for row in rows
            ]
            # Replacing any row indexed before keeps indexing a section idempotent.
            table = FTS_TABLE.format(lang=lang)  # a constant, never input
            cursor.executemany(
                f"DELETE FROM {table} WHERE rowid = %s",  # noqa: S608  # nosec B608
                [(pk,) for pk, _, _ in documents],
            )
            cursor.executemany(
                f"INSERT INTO {table} (rowid, title, text) VALUES (%s, %s, %s)",  # noqa: S608  # nosec B608
                documents,
            )


def search(sections: QuerySet, *, query: str, lang: str) -> QuerySet:
    """Sections matching ``query`` in ``lang``, best first (no excerpts: see headlines())."""
    alternatives = parse_query(query, lang)
    if not alternatives:
        return sections.none()
    if _on_postgresql(sections):
        column = f"search_{lang}"
        tsquery = _tsquery(alternatives, lang)
        return (
            sections.filter(**{column: tsquery})
            .annotate(rank=SearchRank(F(column), tsquery))
            .order_by("-rank", "module__order", "sort_key")
        )
    # bm25() reads the row FTS5 is matching, so the FTS5 table (no model) is joined by rowid:
    # extra() is the ORM's one way to join a table without a relation.
    table = FTS_TABLE.format(lang=lang)
    return sections.extra(  # noqa: S610  # nosec B610: names are ours; the query is bound
        select={"rank": f"bm25({table}, {TITLE_WEIGHT}, {TEXT_WEIGHT})"},
        tables=[table],
        where=[f"{table}.rowid = {sections.model._meta.db_table}.id", f"{table} MATCH %s"],
        params=[_fts5(alternatives)],
    ).order_by("rank", "module__order", "sort_key")


def _tsquery(alternatives: list[list[Operand]], lang: str) -> SearchQuery:
    return SearchQuery(_websearch(alternatives), config=CONFIGS[lang], search_type="websearch")


def asked(sections: QuerySet, *, query: str, lang: str) -> str:
    """``query`` as the database is asked it, empty when nothing can match: two queries
    asked alike find the same sections, in the same order, with the same excerpts."""
    alternatives = parse_query(query, lang)
    if not alternatives:
        return ""
    return _websearch(alternatives) if _on_postgresql(sections) else _fts5(alternatives)


def headlines(sections: QuerySet, *, query: str, lang: str) -> dict[int, str]:
    """Excerpt source per section id, for one page of results only (one query)."""
    return dict(with_headline(sections, query=query, lang=lang).values_list("pk", "headline"))


def with_headline(sections: QuerySet, *, query: str, lang: str) -> QuerySet:
    """The sections, each with the source of its excerpt as ``headline``: for one page of
    results only.

    Kept apart from search(): PostgreSQL would otherwise build a headline for every match
    before sorting and cutting the page. SQLite gives the body, marked by excerpt().
    """
    alternatives = parse_query(query, lang)
    headline = _localized("body", lang)
    if alternatives and _on_postgresql(sections):
        headline = SearchHeadline(
            headline,
            _tsquery(alternatives, lang),
            config=CONFIGS[lang],
            start_sel=_START,
            stop_sel=_STOP,
            max_words=40,
            min_words=20,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
    return sections.annotate(headline=headline)


def excerpt(headline: str, query: str, *, lang: str) -> SafeString:
    """Escaped excerpt with the matched words in <mark>, from a ts_headline or a raw body."""
    text = _MARKDOWN_NOISE.sub(" ", headline or "")
    if _START not in text:
        wanted = {
            lexeme
            for operands in parse_query(query, lang)
            for operand in operands
            if not operand.negated
            for lexeme in operand.lexemes
        }
        text = _highlight_plain(text, lang, wanted - {None})
    html = escape(" ".join(text.split()))
    return mark_safe(html.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308  # nosec


def _highlight_plain(text: str, lang: str, lexemes: set[str | None], width: int = 260) -> str:
    """Cut a window around the first matched word and mark every word whose lexeme the query
    holds, whatever its form (SQLite)."""
    spans: list[tuple[int, int]] = []
    for token in tokens(text, lang):  # a hyphenated word comes before its parts
        if spans and token.start >= spans[0][0] + width:
            break  # past the window, which ends within ``width`` of the first match
        if token.lexeme not in lexemes:
            continue
        if spans and token.start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], token.end))
        else:
            spans.append((token.start, token.end))
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 3)
    if start:  # begin on a word, not inside one
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + width)
    if end < len(text) and " " in text[start:end]:
        end = text.rfind(" ", start, end)
    parts, done = [], start
    for span_start, span_end in spans:
        if start <= span_start and span_end <= end:
            parts += [text[done:span_start], _START, text[span_start:span_end], _STOP]
            done = span_end
    parts.append(text[done:end])
    return ("… " if start else "") + "".join(parts) + (" …" if end < len(text) else "")
