"""Markdown to sanitised HTML: the only way editor text becomes HTML."""

import re

import markdown as md
import nh3

_EXTENSIONS = ["tables", "footnotes", "sane_lists", "smarty"]
_FOOTNOTES = {"UNIQUE_IDS": False, "BACKLINK_TITLE": "", "SEPARATOR": "-"}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "del", "div", "em", "hr", "i",
    "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul", "h3", "h4", "h5", "h6",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "abbr": {"title"},
    "li": {"id"},
    "ol": {"start"},
    "sup": {"id"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Only the classes the footnotes extension emits: editor text cannot borrow the site's styles.
ALLOWED_CLASSES = {"a": {"footnote-ref", "footnote-backref"}, "div": {"footnote"}}
# Only footnote ids: editor text cannot take an id the page uses (main, page-title, ...).
FOOTNOTE_ID = re.compile(r"^(?:[\w-]+-)?fn(?:ref)?-[\w-]+$")  # keys are slugs: _ and capitals too


_FOOTNOTE_ANCHOR = re.compile(r'(id="|href="#)(fn(?:ref)?-)')
_TABLE_HEAD = re.compile(r"<thead>.*?</thead>", re.DOTALL)
_HEADER_CELL_WITHOUT_SCOPE = re.compile(r"<th(?=[\s>])(?![^>]*\bscope=)")


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id" and not FOOTNOTE_ID.match(value):
        return None
    return value


def sanitize_html(html: str) -> str:
    """Keep only an allowlist of tags, attributes and URL schemes; drop scripts entirely."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_keep_attribute,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(text: str, *, id_prefix: str = "") -> str:
    """Render Markdown (tables, footnotes) to sanitised HTML.

    Footnote ids get ``id_prefix`` so that two bodies on one page never share an id.
    Headings in a body start at level 3: the page owns levels 1 and 2.
    """
    if not text or not text.strip():
        return ""
    converter = md.Markdown(extensions=_EXTENSIONS, extension_configs={"footnotes": _FOOTNOTES})
    converter.reset()
    html = converter.convert(text)
    if id_prefix:
        html = _FOOTNOTE_ANCHOR.sub(lambda m: f"{m[1]}{id_prefix}-{m[2]}", html)
    html = _demote_headings(html)
    html = _scope_column_headers(html)
    return sanitize_html(html)


def _scope_column_headers(html: str) -> str:
    """Header cells in a table head say they head their column (screen readers, tagged PDF)."""
    return _TABLE_HEAD.sub(
        lambda head: _HEADER_CELL_WITHOUT_SCOPE.sub('<th scope="col"', head[0]), html
    )


def _demote_headings(html: str) -> str:
    for level in (2, 1):
        html = html.replace(f"<h{level}", f"<h{level + 2}").replace(
            f"</h{level}>", f"</h{level + 2}>"
        )
    return html
