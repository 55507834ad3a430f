"""Markdown to sanitised HTML: the only way editor text becomes HTML."""

import markdown as md
import nh3

_EXTENSIONS = ["tables", "footnotes", "sane_lists", "smarty"]
_EXTENSION_CONFIGS = {"footnotes": {"UNIQUE_IDS": False, "BACKLINK_TITLE": ""}}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "del", "div", "em", "hr", "i",
    "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul", "h3", "h4", "h5", "h6",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},
    "abbr": {"title"},
    "div": {"class"},
    "li": {"id"},
    "ol": {"start"},
    "sup": {"id"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html: str) -> str:
    """Keep only an allowlist of tags, attributes and URL schemes; drop scripts entirely."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
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
    configs = {"footnotes": {**_EXTENSION_CONFIGS["footnotes"]}}
    if id_prefix:
        configs["footnotes"]["SEPARATOR"] = "-"
    converter = md.Markdown(extensions=_EXTENSIONS, extension_configs=configs)
    converter.reset()
    html = converter.convert(text)
    if id_prefix:
        html = html.replace('id="fn-', f'id="{id_prefix}-fn-').replace(
            'href="#fn-', f'href="#{id_prefix}-fn-'
        )
        html = html.replace('id="fnref-', f'id="{id_prefix}-fnref-').replace(
            'href="#fnref-', f'href="#{id_prefix}-fnref-'
        )
    html = _demote_headings(html)
    return sanitize_html(html)


def _demote_headings(html: str) -> str:
    for level in (2, 1):
        html = html.replace(f"<h{level}", f"<h{level + 2}").replace(
            f"</h{level}>", f"</h{level + 2}>"
        )
    return html
