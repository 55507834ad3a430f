"""Markdown bodies cut into the blocks a translator translates, and put back together.

A body is read as a sequence of *literals* (the block markup: "## ", "- ", "1. ", "| ",
"[^1]: ", table separator rows, indentation, blank lines) and *slots* (the inline text of a
heading, paragraph, list item, table cell, footnote or quotation, with its inline Markdown:
emphasis, links, footnote references). Joining them gives back the body byte for byte; a body
for which that does not hold is not cut at all (``segment`` returns None).

Two texts have the same *skeleton* when their literals agree (table padding and the length of
separator dashes aside) and their slots are of the same kinds in the same order: then the
Russian slots translate the English slots one for one.
"""

import hashlib
import re
from dataclasses import dataclass

_HEADING = re.compile(r"^(#{1,6}[ \t]+)(.*?)([ \t]+#+[ \t]*|[ \t]*)$")
_RULE = re.compile(r"^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$")
_ITEM = re.compile(r"^([ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)(\S.*)$")
_QUOTE = re.compile(r"^([ \t]*>[ \t]?)(.*)$")
_FOOTNOTE = re.compile(r"^(\[\^[^\]\s]+\]:[ \t]*)(.*)$")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
PIPE = re.compile(r"(?<!\\)\|")
_INDENT = re.compile(r"^([ \t]+)(\S.*)$")
FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
LINK = re.compile(r"\]\([^)\s]+(?:\s+\"[^\"]*\")?\)|<(?:https?|mailto):[^>\s]+>")

# Kinds of slot whose text is one line by nature: a newline in it would end the block.
SINGLE_LINE = {"heading", "cell"}


@dataclass(frozen=True)
class Literal:
    raw: str
    sig: str


@dataclass(frozen=True)
class Slot:
    kind: str  # heading, paragraph, item, cell, footnote, quote
    text: str
    indent: str  # what starts each continuation line of the text in the body


@dataclass(frozen=True)
class Segmented:
    pieces: tuple

    @property
    def slots(self) -> list[Slot]:
        return [p for p in self.pieces if isinstance(p, Slot)]

    @property
    def skeleton(self) -> tuple:
        """Literals (merged where adjacent) and slot kinds, in order."""
        out: list = []
        for piece in self.pieces:
            if isinstance(piece, Slot):
                out.append(("slot", piece.kind))
            elif out and out[-1][0] == "lit":
                out[-1] = ("lit", out[-1][1] + piece.sig)
            else:
                out.append(("lit", piece.sig))
        return tuple(item for item in out if item != ("lit", ""))

    def ids(self) -> list[str]:
        """Stable block ids: kind and a hash of the block's text (whitespace-insensitive),
        with an occurrence number for repeated blocks. An English edit changes the id of the
        edited block only; blocks added or removed elsewhere leave the others' ids alone."""
        ids: list[str] = []
        seen: dict[str, int] = {}
        for slot in self.slots:
            digest = hashlib.sha256(f"{slot.kind}\n{normalize(slot.text)}".encode()).hexdigest()
            base = f"{slot.kind}-{digest[:10]}"
            seen[base] = seen.get(base, 0) + 1
            ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
        return ids

    def render(self, texts: list[str]) -> str:
        """The body with these texts in the slots, in order."""
        remaining = iter(texts)
        out = []
        for piece in self.pieces:
            if isinstance(piece, Literal):
                out.append(piece.raw)
            else:
                out.append(next(remaining).replace("\n", "\n" + piece.indent))
        return "".join(out)


def normalize(text: str) -> str:
    """Text compared ignoring insignificant whitespace (runs of it, at the ends)."""
    return " ".join(text.split())


def clean(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def starts_block(line: str) -> bool:
    """Whether a line, at the start of a text line, would begin a new Markdown block."""
    line = line.lstrip(" \t")
    return bool(
        _HEADING.match(line)
        or _RULE.match(line)
        or _ITEM.match(line)
        or line.startswith(">")
        or _FOOTNOTE.match(line)
        or _FENCE.match(line)
        or line.startswith("|")
    )


def segment(text: str | None) -> Segmented | None:
    """The body (trailing whitespace aside) cut into literals and slots, or None if it cannot
    be cut faithfully."""
    text = clean(text).rstrip()
    try:
        pieces = _Parser(text.split("\n")).parse()
    except _Unsupported:
        return None
    result = Segmented(tuple(pieces))
    if result.render([s.text for s in result.slots]) != text:
        return None
    return result


class _Unsupported(Exception):
    pass


class _Parser:
    def __init__(self, lines: list[str]):
        self.lines = lines
        self.i = 0
        self.pieces: list = []

    def literal(self, raw: str, sig: str | None = None) -> None:
        if raw:
            self.pieces.append(Literal(raw, raw if sig is None else sig))

    def newline(self) -> None:
        if self.i < len(self.lines):
            self.literal("\n")

    def slot(self, kind: str, first: str, indent: str, more: list[str]) -> None:
        """A slot whose text is ``first`` and the continuation lines ``more`` (each starting
        with ``indent``); surrounding whitespace goes to literals."""
        lead = first[: len(first) - len(first.lstrip(" \t"))]
        self.literal(lead)
        body = "\n".join([first[len(lead) :], *(line[len(indent) :] for line in more)])
        text = body.rstrip(" \t")
        if not text:
            raise _Unsupported
        self.pieces.append(Slot(kind, text, indent))
        self.literal(body[len(text) :])

    def continuation(self) -> tuple[str, list[str]]:
        """The lines that continue the current block, and the indentation they share."""
        more = []
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if not line.strip() or starts_block(line) or self._table_starts(self.i):
                break
            more.append(line)
            self.i += 1
        if not more:
            return "", []
        indent = more[0][: len(more[0]) - len(more[0].lstrip(" \t"))]
        if any(not line.startswith(indent) for line in more):
            raise _Unsupported
        return indent, more

    def _table_starts(self, i: int) -> bool:
        return (
            "|" in self.lines[i]
            and i + 1 < len(self.lines)
            and "-" in self.lines[i + 1]
            and bool(_TABLE_RULE.match(self.lines[i + 1]))
        )

    def parse(self) -> list:
        while self.i < len(self.lines):
            line = self.lines[self.i]
            if self._table_starts(self.i):
                self.table()
                continue
            self.i += 1
            if not line.strip() or _RULE.match(line):
                self.literal(line)
            elif _FENCE.match(line):
                self.fence(line)
            elif m := _HEADING.match(line):
                self.literal(m[1])
                if m[2]:
                    self.pieces.append(Slot("heading", m[2], ""))
                self.literal(m[3])
            elif m := _FOOTNOTE.match(line):
                self.block("footnote", m[1], m[2], default_indent="    ")
            elif m := _ITEM.match(line):
                self.block("item", m[1], m[2], default_indent=" " * len(m[1]))
            elif (m := _QUOTE.match(line)) and not m[2].strip():
                self.literal(line)
            elif m:
                self.quote(m[1], m[2])
            elif m := _INDENT.match(line):
                self.block("paragraph", m[1], m[2], default_indent=m[1])
            else:
                self.block("paragraph", "", line, default_indent="")
            self.newline()
        return self.pieces

    def block(self, kind: str, marker: str, first: str, *, default_indent: str) -> None:
        self.literal(marker)
        indent, more = self.continuation()
        self.slot(kind, first, indent or default_indent, more)

    def quote(self, marker: str, first: str) -> None:
        self.literal(marker)
        more = []
        while self.i < len(self.lines) and self.lines[self.i].startswith(marker):
            rest = self.lines[self.i][len(marker) :]
            if not rest.strip() or starts_block(rest):
                break
            more.append(self.lines[self.i])
            self.i += 1
        if not first.strip():
            raise _Unsupported
        self.slot("quote", first, marker, more)

    def fence(self, line: str) -> None:
        opening = _FENCE.match(line)
        if opening is None:
            raise _Unsupported
        fence = opening[1]
        raw = [line]
        while self.i < len(self.lines):
            raw.append(self.lines[self.i])
            self.i += 1
            if raw[-1].strip().startswith(fence):
                break
        self.literal("\n".join(raw))

    def table(self) -> None:
        self.row(self.lines[self.i])
        self.i += 1
        self.literal("\n")
        rule = self.lines[self.i]
        self.literal(rule, re.sub(r"-+", "-", re.sub(r"[ \t]+", "", rule)))
        self.i += 1
        while self.i < len(self.lines) and self.lines[self.i].strip():
            self.literal("\n")
            self.row(self.lines[self.i])
            self.i += 1
        self.newline()

    def row(self, line: str) -> None:
        parts = PIPE.split(line)
        for n, part in enumerate(parts):
            if n:
                self.literal("|", "|")
            stripped = part.strip(" \t")
            if not stripped:
                self.literal(part, "")
                continue
            lead = part[: len(part) - len(part.lstrip(" \t"))]
            self.literal(lead, "")
            self.pieces.append(Slot("cell", stripped, ""))
            self.literal(part[len(lead) + len(stripped) :], "")


def same_skeleton(a: Segmented | None, b: Segmented | None) -> bool:
    return a is not None and b is not None and a.skeleton == b.skeleton
