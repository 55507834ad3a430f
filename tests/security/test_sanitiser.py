"""Property tests of the only way text becomes HTML (modules.markdown): whatever an editor
writes, the output has no script, no event handler, no javascript: URL and no external
resource; sanitising is idempotent; Cyrillic text passes unchanged."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from modules.markdown import render_markdown, sanitize_html

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<ScRiPt src=//evil.example/x.js></sCrIpT>",
    '<img src=x onerror="alert(1)">',
    '<svg onload=alert(1)><circle r="1"/></svg>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](  javascript:alert(1)  )",
    "![x](http://evil.example/pixel.png)",
    '<iframe src="http://evil.example"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<link rel="stylesheet" href="http://evil.example/x.css">',
    "<style>body{background:url(http://evil.example/x)}</style>",
    '<p style="background:url(http://evil.example/x)">x</p>',
    '<div onclick="alert(1)" class="site-header" id="main">x</div>',
    '<form action="http://evil.example"><input name=x></form>',
    '<meta http-equiv="refresh" content="0;url=http://evil.example">',
    "<base href=http://evil.example/>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    '"><img src=x onerror=alert(1)>',
    "<a href='data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='>x</a>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "[^1]\n\n[^1]: <img src=x onerror=alert(1)>",
    "| a | b |\n|---|---|\n| <script>x</script> | <img src=x onerror=1> |",
]
SAFE_PIECES = ["Marking", "**bold**", "*em*", "\n\n", "- item\n", "| a |\n|---|\n| b |\n", "> quote\n",
               "[link](https://example.org)", "Маркировка оружия", "1. first\n"]  # fmt: skip

FORBIDDEN = [
    re.compile(r"<\s*(script|iframe|object|embed|link|style|meta|base|form|img|svg|math|video|source)\b", re.I),
    re.compile(r"\son\w+\s*=", re.I),
    re.compile(r"javascript:", re.I),
    re.compile(r"data:", re.I),
    re.compile(r"\b(src|srcset|style|action|formaction)\s*=", re.I),
    re.compile(r"url\(", re.I),
]  # fmt: skip

hostile_text = st.lists(
    st.one_of(st.sampled_from(XSS_VECTORS), st.sampled_from(SAFE_PIECES), st.text(max_size=40)),
    min_size=1,
    max_size=8,
).map("".join)


TAG = re.compile(r"<[^>]*>")


def _safe(html: str) -> None:
    """No dangerous element or attribute in any tag (text outside tags is escaped, so a
    literal "javascript:" in a sentence is harmless and allowed)."""
    for tag in TAG.findall(html):
        for pattern in FORBIDDEN:
            assert not pattern.search(tag), (pattern.pattern, tag, html)


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_rendered_markdown_never_carries_scripts_handlers_or_external_resources(text):
    _safe(render_markdown(text, id_prefix="s"))


@settings(max_examples=300, deadline=None)
@given(hostile_text)
def test_sanitising_is_idempotent(text):
    once = sanitize_html(text)
    assert sanitize_html(once) == once
    _safe(once)


def test_every_known_vector_is_neutralised():
    for vector in XSS_VECTORS:
        _safe(render_markdown(vector, id_prefix="s"))
        _safe(sanitize_html(vector))


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ ,.",
        min_size=1,
        max_size=200,
    )
)
def test_cyrillic_text_is_unchanged(text):
    assert sanitize_html(text) == text
    words = text.split()
    rendered = render_markdown(text)
    assert all(word in rendered for word in words if word.strip(",."))
