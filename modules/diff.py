"""Word-level differences between two versions of a text, for readers.

The diff works on the *text* a reader sees, not on Markdown: bodies are reduced to blocks
(paragraphs, list items, table rows, footnotes) taken from their sanitised HTML, so a table
re-aligned or a list re-indented in the source is not a change. Blocks are aligned first, then
words are compared within changed blocks. Output is escaped HTML with <ins> and <del>, each
carrying a visually hidden label so that the change is not shown by colour alone.
"""

import difflib
import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

_BLOCKS = {"p", "li", "tr", "h3", "h4", "h5", "h6", "pre", "blockquote", "caption"}
_CELLS = {"td", "th"}
_TOKEN = re.compile(r"\s+|\w+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)


class _TextBlocks(HTMLParser):
    """Collects the visible text of an HTML fragment as a list of blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._cells: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self._skip or "footnote-backref" in classes:
            self._skip += 1
            return
        if tag == "tr":
            self._flush()
            self._cells = []
        elif tag in _CELLS:
            self._current = []
        elif tag in _BLOCKS:
            self._flush()
        elif tag == "sup":
            self._current.append("[")
        elif tag == "br":
            self._current.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            self._skip -= 1
            return
        if tag in _CELLS and self._cells is not None:
            self._cells.append(_squash("".join(self._current)))
            self._current = []
        elif tag == "tr" and self._cells is not None:
            self.blocks.append(" | ".join(self._cells))
            self._cells = None
        elif tag in _BLOCKS:
            self._flush()
        elif tag == "sup":
            self._current.append("]")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._current.append(data)

    def _flush(self) -> None:
        text = _squash("".join(self._current))
        if text and self._cells is None:
            self.blocks.append(text)
        self._current = []

    def close(self) -> None:
        super().close()
        self._flush()


def _squash(text: str) -> str:
    return " ".join(text.split())


def text_blocks(html: str) -> list[str]:
    """The reader-visible text of a sanitised HTML body, one string per block."""
    parser = _TextBlocks()
    parser.feed(html or "")
    parser.close()
    return parser.blocks


@dataclass(frozen=True)
class Diff:
    """A rendered difference: HTML blocks, and whether anything changed at all."""

    blocks: list[SafeString]
    changed: bool


def _ins(text: str) -> str:
    label = escape(_("Inserted text:"))
    return f'<ins><span class="visually-hidden">[{label} </span>{escape(text)}<span class="visually-hidden">]</span></ins>'


def _del(text: str) -> str:
    label = escape(_("Deleted text:"))
    return f'<del><span class="visually-hidden">[{label} </span>{escape(text)}<span class="visually-hidden">]</span></del>'


# Blocks less alike than this are shown as one removed and one added, not word by word.
PAIR_THRESHOLD = 0.5
# Above this many block pairs, blocks are paired by position (bounded work on huge sections).
MAX_PAIRINGS = 400
# Unchanged runs of at most this many words between two changes are folded into the change,
# so that a rewritten sentence reads as one replacement instead of confetti.
MAX_FOLDED_WORDS = 2


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, str, str]]:
    """(op, old text, new text) runs, with short unchanged runs between changes folded in."""
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    runs = [("equal" if op == "equal" else "change", "".join(a[i1:i2]), "".join(b[j1:j2]))
            for op, i1, i2, j1, j2 in matcher.get_opcodes()]  # fmt: skip
    folded: list[tuple[str, str, str]] = []
    for index, (op, old, new) in enumerate(runs):
        between_changes = 0 < index < len(runs) - 1 and op == "equal"
        words = len([t for t in _TOKEN.findall(old) if not t.isspace()])
        if between_changes and words <= MAX_FOLDED_WORDS:
            op = "change"
        if folded and op == "change" and folded[-1][0] == "change":
            _op, old_before, new_before = folded.pop()
            old, new = old_before + old, new_before + new
        folded.append((op, old, new))
    return folded


def diff_words(old: str, new: str) -> str:
    """Escaped HTML of ``new`` with the words added and removed since ``old`` marked."""
    parts: list[str] = []
    for op, removed, added in _opcodes(_TOKEN.findall(old), _TOKEN.findall(new)):
        if op == "equal":
            parts.append(escape(added))
            continue
        lead = removed[: len(removed) - len(removed.lstrip())] if removed.strip() else ""
        if removed.strip():
            parts.append(lead + _del(removed.strip()))
        if added.strip():
            parts.append(
                (" " if removed.strip() else added[: len(added) - len(added.lstrip())])
                + _ins(added.strip())
            )
            trail = added[len(added.rstrip()) :]
            parts.append(trail)
        elif removed and not removed.strip():
            parts.append(" ")
    return "".join(parts)


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(a=_TOKEN.findall(a), b=_TOKEN.findall(b), autojunk=False).ratio()


def _align(old: list[str], new: list[str]) -> list[SafeString]:
    """Pair the most similar blocks (recursively, keeping order); the rest are removed/added."""
    if not old or not new:
        return [mark_safe(_del(b)) for b in old] + [mark_safe(_ins(b)) for b in new]  # noqa: S308  # nosec
    if len(old) * len(new) > MAX_PAIRINGS:
        pairs = min(len(old), len(new))
        return [
            *(mark_safe(diff_words(a, b)) for a, b in zip(old, new, strict=False)),  # noqa: S308  # nosec
            *_align(old[pairs:], []),
            *_align([], new[pairs:]),
        ]
    best, best_i, best_j = 0.0, 0, 0
    for i, before in enumerate(old):
        for j, after in enumerate(new):
            score = _similarity(before, after)
            if score > best:
                best, best_i, best_j = score, i, j
    if best < PAIR_THRESHOLD:
        return [mark_safe(_del(b)) for b in old] + [mark_safe(_ins(b)) for b in new]  # noqa: S308  # nosec
    return [
        *_align(old[:best_i], new[:best_j]),
        mark_safe(diff_words(old[best_i], new[best_j])),  # noqa: S308  # nosec
        *_align(old[best_i + 1 :], new[best_j + 1 :]),
    ]


def rewording(old: str, new: str) -> str | None:
    """``new`` marked word by word against ``old`` (escaped HTML) when it rewords it; None when
    the two are too unlike (an addition, a new text) for a word diff to mean anything."""
    if _similarity(old, new) < PAIR_THRESHOLD:
        return None
    return diff_words(old, new)


def diff_blocks(old: list[str], new: list[str]) -> Diff:
    """Align blocks, then compare words inside the blocks that changed."""
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    rendered: list[SafeString] = []
    changed = False
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rendered.extend(mark_safe(escape(block)) for block in old[i1:i2])  # noqa: S308  # nosec
            continue
        changed = True
        rendered.extend(_align(old[i1:i2], new[j1:j2]))
    return Diff(blocks=rendered, changed=changed)


def diff_text(old: str, new: str) -> Diff:
    """A one-line text (a title) compared word by word."""
    if old == new:
        return Diff(blocks=[mark_safe(escape(new))], changed=False)  # noqa: S308  # nosec
    return Diff(blocks=[mark_safe(diff_words(old, new))], changed=True)  # noqa: S308  # nosec
