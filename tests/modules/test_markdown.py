import pytest

from modules.markdown import render_markdown, sanitize_html


def test_tables_and_footnotes_are_rendered():
    html = render_markdown(
        "| Level | Meaning |\n|---|---|\n| 1 | Initial |\n\nA claim.[^1]\n\n[^1]: A source.",
        id_prefix="salw-marking",
    )
    assert "<table>" in html and "<td>Initial</td>" in html
    assert 'href="#salw-marking-fn-1"' in html
    assert 'id="salw-marking-fn-1"' in html


def test_cyrillic_text_is_kept_as_written():
    assert "Маркировка и учёт — «основа»" in render_markdown("Маркировка и учёт — «основа»")


def test_headings_in_a_body_never_compete_with_the_page_headings():
    html = render_markdown("# Big\n\n## Smaller")
    assert "<h1" not in html and "<h2" not in html
    assert "<h3>Big</h3>" in html and "<h4>Smaller</h4>" in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<p onclick="alert(1)">x</p>',
        '<iframe src="https://evil.example"></iframe>',
        "<style>body{display:none}</style>",
        '<svg onload="alert(1)"></svg>',
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ],
)
def test_hostile_markdown_is_rendered_inert(hostile):
    html = render_markdown(f"Text before.\n\n{hostile}\n\nText after.")
    lowered = html.lower()
    for forbidden in (
        "<script",
        "onerror",
        "onclick",
        "onload",
        "javascript:",
        "<iframe",
        "<style",
        "<img",
        "<svg",
        "data:",
    ):
        assert forbidden not in lowered
    assert "Text before." in html and "Text after." in html


def test_links_get_safe_rel_and_keep_their_target():
    html = render_markdown("[ATT](https://example.org/att)")
    assert 'href="https://example.org/att"' in html
    assert 'rel="noopener noreferrer"' in html


def test_sanitising_is_idempotent():
    once = sanitize_html(render_markdown("**a** <b onclick=x>b</b> [c](http://x.org)"))
    assert sanitize_html(once) == once


def test_empty_text_renders_to_nothing():
    assert render_markdown("") == ""
    assert render_markdown("   \n ") == ""


def test_editor_text_cannot_borrow_the_sites_classes_or_ids():
    html = render_markdown(
        '<div class="demo-banner" id="main">x</div><a id="page-title" href="#x">y</a>'
    )
    assert "demo-banner" not in html and 'id="main"' not in html and 'id="page-title"' not in html


def test_footnote_classes_and_ids_survive_sanitising():
    html = render_markdown("Claim.[^a]\n\n[^a]: Source.", id_prefix="uas-scope")
    assert 'class="footnote-ref"' in html and 'class="footnote"' in html
    assert 'id="uas-scope-fnref-a"' in html and 'id="uas-scope-fn-a"' in html


def test_table_head_cells_say_they_head_their_column():
    html = render_markdown("| Item | Years |\n|:--|--:|\n| Register | 20 |")
    assert html.count('<th scope="col">') == 2 and "<td>Register</td>" in html
    kept = render_markdown('<table><thead><tr><th scope="row">A</th></tr></thead></table>')
    assert '<th scope="row">A</th>' in kept  # an explicit scope is kept as written
