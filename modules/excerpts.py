"""Short plain-text excerpts of rendered text, for page descriptions and link previews.

Bodies and summaries are stored as sanitised HTML (modules.markdown); a page's
``<meta name="description">`` and ``og:description`` want plain text: the first sentence of a
section, or the start of a summary, cut at a word boundary.
"""

import re
from html.parser import HTMLParser

from modules.markdown import render_markdown

DESCRIPTION_LENGTH = 160
ELLIPSIS = "…"

# Elements whose end ends a sentence even without a full stop (a list item, a table row).
_BLOCKS = {
    "p", "div", "li", "ul", "ol", "blockquote", "pre", "table", "tr", "caption", "br", "hr",
}  # fmt: skip
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Marks a heading's line: a description starts at the first text that is not a heading.
_HEADING = "\x01"
# Left out of excerpts: footnote markers and the footnotes themselves.
_SKIPPED = {"sup", "script", "style", "template"}

# Words whose full stop does not end a sentence (compared case-insensitively, without the
# final stop): English and Russian abbreviations common in legal and technical text.
ABBREVIATIONS = {
    "e.g", "i.e", "cf", "viz", "vs", "approx", "incl", "mr", "mrs", "ms", "dr", "jr", "sr",
    "u.s", "u.k", "u.n", "al", "op",
    "т.е", "т.к", "т.н", "см", "ср", "г", "гг", "др", "напр", "англ", "франц",
    "им", "проф", "акад", "обл", "ок", "прим", "ред",
}  # fmt: skip
# Abbreviations that stand before a number ("No. 5", "para. 3", "ст. 2"): a full stop after
# them ends a sentence only when no number follows.
NUMBER_ABBREVIATIONS = {
    "no", "nos", "para", "paras", "art", "arts", "sect", "ch", "vol", "p", "pp", "fig",
    "op", "п", "пп", "ст", "гл", "разд", "рис", "стр", "ч", "прил", "т", "с",
}  # fmt: skip
_LAST_WORD = re.compile(r"(?:^|[\s(\[«\"“])((?:[^\W\d_]{1,6}\.\s?){0,2}[^\W\d_]+)$")
# A sentence ends at . ! ? or … followed by a space and then a capital, a digit or an opening
# quote or bracket; or at the end of a block.
_END = re.compile(r"[.!?…]+[»”\")\]]*(?=\s+[«“\"(\[]*[\d\w])")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIPPED or (tag == "div" and ("class", "footnote") in attrs):
            self.skipping += 1
        elif tag in _HEADINGS:
            self.parts.append("\n" + _HEADING)
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and (tag in _SKIPPED or tag == "div"):
            self.skipping -= 1
        elif tag in _BLOCKS or tag in _HEADINGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data.replace("\n", " "))


def _lines(text: str) -> list[str]:
    """``text`` (HTML or Markdown) without markup: one line per block, spaces collapsed;
    headings start with _HEADING."""
    if not text.lstrip().startswith("<"):
        text = render_markdown(text)
    collector = _TextCollector()
    collector.feed(text)
    collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).split("\n"))
    return [line for line in lines if line.lstrip(_HEADING)]


def plain_text(text: str) -> str:
    """``text`` (HTML or Markdown) without markup: one line per block, spaces collapsed."""
    return "\n".join(line.lstrip(_HEADING) for line in _lines(text))


def _ends_sentence(text: str, stop: re.Match) -> bool:
    """False when the full stop belongs to an abbreviation or an initial, or the next word
    starts in lower case (as after "e.g." or "т. е.")."""
    following = text[stop.end() :].lstrip(' «“"([')
    if following[:1].islower():
        return False
    if text[stop.start()] != ".":
        return True
    word = _LAST_WORD.search(text[: stop.start()])
    if word is None:
        return True
    # "т. е" and "e.g" as a whole, and the last word alone ("ст" in "См. ст").
    whole = word.group(1).lower().replace(" ", "")
    last = whole.rsplit(".", 1)[-1]
    if {whole, last} & NUMBER_ABBREVIATIONS and following[:1].isdigit():
        return False
    # A single capital letter is an initial ("J. Smith").
    if len(last) == 1 and word.group(1)[-1].isupper():
        return False
    return not {whole, last} & ABBREVIATIONS


def shorten(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS) + 1]
    space = cut.rfind(" ")
    # At the last space, unless that would drop more than half (one very long word).
    cut = cut[:space] if space > limit // 2 else cut[: limit - len(ELLIPSIS)]
    return cut.rstrip(" ,;:–—-") + ELLIPSIS


def first_sentence(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """The first sentence of ``text`` (HTML or Markdown) as plain text, at most ``limit``
    characters; "" when there is no text."""
    lines = _lines(text)
    paragraphs = [line for line in lines if not line.startswith(_HEADING)]
    # A description is a sentence or two: look no further than this into a long paragraph.
    first_block = (paragraphs or lines or [""])[0].lstrip(_HEADING)[: limit * 10]
    for stop in _END.finditer(first_block):
        if _ends_sentence(first_block, stop):
            return shorten(first_block[: stop.end()], limit)
    return shorten(first_block, limit)


def excerpt(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """The start of ``text`` (HTML or Markdown) as plain text, at most ``limit`` characters."""
    return shorten(plain_text(text).replace("\n", " "), limit)


# The paragraphs readers can link to and comment on (#p1, #p2...: reading.reading_body counts
# the same <p> elements, which the sanitiser leaves without attributes), footnotes excluded.
_FOOTNOTES = '<div class="footnote">'
_PARAGRAPHS = re.compile(r"<p>(.*?)</p>", re.DOTALL)


def paragraph(body_html: str, number: int) -> str | None:
    """The plain text of paragraph ``number`` (from 1) of a sanitised body, as readers see
    it numbered; None when the body has no such paragraph."""
    text = (body_html or "").partition(_FOOTNOTES)[0]
    found = _PARAGRAPHS.findall(text)
    if not 1 <= number <= len(found):
        return None
    return " ".join(plain_text(f"<p>{found[number - 1]}</p>").split())


def paragraphs(body_html: str) -> list[str]:
    """The plain text of each paragraph of a sanitised body that readers see numbered (#p1,
    #p2...), in order."""
    text = (body_html or "").partition(_FOOTNOTES)[0]
    return [" ".join(plain_text(f"<p>{found}</p>").split()) for found in _PARAGRAPHS.findall(text)]
