"""Found by search engines and shared links: robots.txt, the sitemap with hreflang alternates,
page descriptions and Open Graph, and noindex on search and preview pages."""

import datetime
import re
import urllib.robotparser
from collections import Counter

import pytest
from defusedxml import ElementTree as ET

from feedback import services as feedback_services
from feedback.models import Status, Workshop
from guidelines_portal import discovery
from modules import services
from modules.excerpts import excerpt, first_sentence, shorten
from modules.models import Section
from tests.conftest import make_large_module, make_section, publish
from tests.feedback.conftest import make_feedback, tracking_path

BASE = "https://guidelines.test"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


# --- First sentence ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States should mark weapons. They should also trace them.", "States should mark weapons."),
        ("<p>Marking<sup id='fnref-1'><a href='#fn-1'>1</a></sup> is <strong>key</strong>. "
         "More.</p><div class='footnote'><ol><li><p>A note. Two.</p></li></ol></div>",
         "Marking is key."),
        ("Marking is **key**, see [the annex](https://example.org). More.",
         "Marking is key, see the annex."),
        ("Mark weapons, e.g. at import. More.", "Mark weapons, e.g. at import."),
        ("Mark weapons, i.e. All of them. More.", "Mark weapons, i.e. All of them."),
        ("See No. 5 of the list. More.", "See No. 5 of the list."),
        ("The answer is no. More.", "The answer is no."),
        ("Per para. 3 of the annex. More.", "Per para. 3 of the annex."),
        ("Государства, т. е. их органы, маркируют оружие. Далее.",
         "Государства, т. е. их органы, маркируют оружие."),
        ("См. ст. 5 Договора. Далее.", "См. ст. 5 Договора."),
        ("Resolution 2370 (2017) applies. It also.", "Resolution 2370 (2017) applies."),
        ("See section B.1.2. It also.", "See section B.1.2."),
        ("<h3>A heading</h3><p>The text. More.</p>", "The text."),
        ("<h3>Only a heading</h3>", "Only a heading"),
        ("<ul><li>A list item without a stop</li><li>Another</li></ul>",
         "A list item without a stop"),
        ("Он сказал: «Стоп!» Потом ушёл.", "Он сказал: «Стоп!»"),
        ("Fish &amp; chips &lt;here&gt;. More.", "Fish & chips <here>."),
        ("", ""),
    ],
)  # fmt: skip
def test_first_sentence_is_plain_text_and_skips_abbreviations(text, expected):
    assert first_sentence(text) == expected


def test_long_sentences_are_cut_at_a_word_boundary():
    sentence = "Marking " * 40 + "ends here."
    cut = first_sentence(sentence, limit=50)
    assert len(cut) <= 50 and cut.endswith("Marking…") and "  " not in cut
    assert shorten("x" * 80, 20) == "x" * 19 + "…"
    assert excerpt("<p>One. Two.</p><p>Three.</p>", 160) == "One. Two. Three."


# --- robots.txt ----------------------------------------------------------------------------


def robots(client, **headers) -> urllib.robotparser.RobotFileParser:
    response = client.get("/robots.txt", **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(response.text.splitlines())
    return parser


def test_robots_txt_opens_reading_pages_and_closes_the_rest(client, published):
    parser = robots(client, HTTP_HOST="localhost")
    assert parser.site_maps() == [f"{BASE}/sitemap.xml"]
    for lang in ("en", "ru"):
        for path in ("/", "/modules/salw/", "/modules/salw/salw-marking/", "/editions/",
                     "/editions/1.0/", "/editions/1.0/modules/salw/pdf/",
                     "/feedback/editions/1.0/"):  # fmt: skip
            assert parser.can_fetch("*", f"{BASE}/{lang}{path}"), path
        for path in ("/search/?q=x", "/preview/", "/preview/modules/salw/", "/translation/",
                     "/feedback/", "/feedback/?section=salw-marking", "/feedback/track/abc/",
                     "/editions/compare/?older=1.0&newer=1.1"):  # fmt: skip
            assert not parser.can_fetch("*", f"{BASE}/{lang}{path}"), path
    assert not parser.can_fetch("*", f"{BASE}/admin/")
    assert not parser.can_fetch("*", f"{BASE}/admin/modules/section/")
    assert client.get("/en/robots.txt").status_code == 404  # at the site root only


# --- Sitemap -------------------------------------------------------------------------------


def sitemap(client, path: str = "/sitemap.xml", **headers):
    response = client.get(path, **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def entries(root) -> dict[str, dict]:
    """{loc: {"lastmod": ..., "alternates": {hreflang: href}}}, every loc once."""
    assert root.tag == f"{SITEMAP}urlset"
    found = {}
    for url in root.findall(f"{SITEMAP}url"):
        loc = url.find(f"{SITEMAP}loc").text
        assert loc not in found, loc
        links = url.findall(f"{XHTML}link")
        assert all(link.get("rel") == "alternate" for link in links)
        hreflangs = Counter(link.get("hreflang") for link in links)
        assert hreflangs == {"en": 1, "ru": 1, "x-default": 1}, loc
        lastmod = url.find(f"{SITEMAP}lastmod")
        found[loc] = {
            "lastmod": lastmod.text if lastmod is not None else None,
            "alternates": {link.get("hreflang"): link.get("href") for link in links},
        }
    return found


@pytest.fixture
def answered_editions(published, editor):
    """Edition 1.1 changes a section and answers a comment; a later draft section is not
    published."""
    item = make_feedback()
    feedback_services.feedback_set_status(
        feedback=item, status=Status.NOT_ACCEPTED, user=editor, notify=False
    )
    services.section_update(section=Section.objects.get(key="salw-marking"), body_en="New.")
    edition = publish("1.1", on=datetime.date(2024, 5, 1))
    make_section(Section.objects.get(key="salw-upstream").module, "salw-draft-only")
    return edition, item


def test_sitemap_lists_every_published_page_in_both_languages(client, answered_editions):
    found = entries(sitemap(client, HTTP_HOST="localhost"))
    paths = {loc.removeprefix(BASE) for loc in found}
    for lang in ("en", "ru"):
        expected = {
            "/", "/editions/", "/modules/salw/", "/modules/salw/salw-marking/",
            "/modules/salw/salw-tracing/", "/editions/1.0/", "/editions/1.1/",
            "/editions/1.0/modules/salw/", "/editions/1.0/modules/salw/salw-marking/",
            "/editions/1.0/compare/1.1/", "/feedback/editions/1.1/",
        }  # fmt: skip
        assert {f"/{lang}{p}" for p in expected} <= paths
    # The current edition's pages are listed once, under their usual address.
    assert "/en/editions/1.1/modules/salw/" not in paths
    assert not any("salw-draft-only" in p or "/search/" in p or "/preview/" in p for p in paths)
    assert not any("/feedback/editions/1.0/" in p for p in paths)  # no responses there
    assert all(loc.startswith(BASE + "/") for loc in found)
    assert found[f"{BASE}/en/editions/1.0/"]["lastmod"] == "2022-03-18"
    assert found[f"{BASE}/ru/modules/salw/"]["lastmod"] == "2024-05-01"


def test_sitemap_lists_the_workshops_pages(client, answered_editions):
    edition, _item = answered_editions
    Workshop.objects.create(
        slug="europe-2022", title_en="Regional workshop for Europe", region_en="Europe",
        starts_on=datetime.date(2022, 4, 5), ends_on=datetime.date(2022, 4, 6),
        place_en="Vienna", organisers_en="UNOCT", edition=edition,
    )  # fmt: skip
    found = entries(sitemap(client))
    for lang in ("en", "ru"):
        assert f"{BASE}/{lang}/feedback/workshops/" in found
        assert found[f"{BASE}/{lang}/feedback/workshops/europe-2022/"]["lastmod"] is None
    for loc in found:
        if "/workshops/" in loc:
            assert client.get(loc.removeprefix(BASE)).status_code == 200, loc


def test_sitemap_alternates_point_to_each_other(client, answered_editions):
    found = entries(sitemap(client))
    for loc, entry in found.items():
        alternates = entry["alternates"]
        assert loc in (alternates["en"], alternates["ru"])
        assert alternates["x-default"] == alternates["en"]
        assert alternates["en"].startswith(f"{BASE}/en/") and alternates["ru"].startswith(
            f"{BASE}/ru/"
        )
        for lang in ("en", "ru"):
            assert found[alternates[lang]]["alternates"] == alternates


def test_every_address_in_the_sitemap_answers(client, answered_editions):
    for loc in entries(sitemap(client)):
        assert client.get(loc.removeprefix(BASE)).status_code == 200, loc


def test_sitemap_without_editions_lists_the_edition_list_only(client, db):
    found = entries(sitemap(client))
    assert set(found) == {f"{BASE}/en/editions/", f"{BASE}/ru/editions/"}


def test_a_large_sitemap_is_split_behind_an_index(client, monkeypatch, answered_editions):
    whole = entries(sitemap(client))
    monkeypatch.setattr(discovery, "SITEMAP_LIMIT", 10)
    index = sitemap(client)
    assert index.tag == f"{SITEMAP}sitemapindex"
    files = [loc.text for loc in index.iter(f"{SITEMAP}loc")]
    assert files[0] == f"{BASE}/sitemap-1.xml" and len(files) == -(-len(whole) // 10)
    parts = {}
    for file in files:
        part = entries(sitemap(client, file.removeprefix(BASE)))
        assert len(part) <= 10
        parts.update(part)
    assert parts == whole
    assert client.get(f"/sitemap-{len(files) + 1}.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404


def test_sitemap_queries_do_not_grow_with_editions_or_sections(
    client, db, django_assert_max_num_queries
):
    module = make_large_module("SALW", chapters=5, per_chapter=10)
    for number in range(4):
        section = Section.objects.filter(module=module).order_by("pk")[number]
        services.section_update(section=section, body_en=f"Revised {number}.")
        publish(f"1.{number}", on=datetime.date(2024, 1, number + 1))
    with django_assert_max_num_queries(5):
        found = entries(sitemap(client))
    assert len(found) > 400


# --- Descriptions and Open Graph -----------------------------------------------------------


def meta(html: str) -> dict[str, list[str]]:
    """{name or property: [content, ...]} of the page's <meta> elements."""
    found: dict[str, list[str]] = {}
    for tag in re.findall(r"<meta\s[^>]*>", html):
        key = re.search(r'(?:name|property)="([^"]+)"', tag)
        content = re.search(r'content="([^"]*)"', tag)
        if key and content:
            found.setdefault(key.group(1), []).append(content.group(1))
    return found


@pytest.fixture
def described(draft):
    marking = Section.objects.get(key="salw-marking")
    services.section_update(
        section=marking,
        body_en="Mark every weapon, e.g. at manufacture and import. Then record it.",
        body_ru="Маркируйте каждое оружие, т. е. при производстве и ввозе. Затем учитывайте.",
    )
    draft.summary_en = "The **SALW** module covers small arms. It has four sections."
    draft.summary_ru = "Модуль **МСЛВ** посвящён стрелковому оружию. В нём четыре раздела."
    draft.save()
    return publish("1.0", on=datetime.date(2022, 3, 18), change_summary_en="First edition.",
                   change_summary_ru="Первое издание.")  # fmt: skip


@pytest.mark.parametrize(
    ("path", "lang", "title", "description", "kind"),
    [
        ("/en/modules/salw/salw-marking/", "en", "B.1.2 Marking",
         "Mark every weapon, e.g. at manufacture and import.", "article"),
        ("/ru/modules/salw/salw-marking/", "ru", "B.1.2 Заголовок salw-marking",
         "Маркируйте каждое оружие, т. е. при производстве и ввозе.", "article"),
        ("/en/editions/1.0/modules/salw/salw-marking/", "en", "B.1.2 Marking",
         "Mark every weapon, e.g. at manufacture and import.", "article"),
        ("/en/modules/salw/", "en", "SALW module", "The SALW module covers small arms.",
         "article"),
        ("/ru/modules/salw/", "ru", "Модуль SALW", "Модуль МСЛВ посвящён стрелковому оружию.",
         "article"),
        ("/en/editions/1.0/", "en", "Edition 1.0", "First edition.", "article"),
        ("/ru/editions/1.0/", "ru", "Издание 1.0", "Первое издание.", "article"),
    ],
)  # fmt: skip
def test_pages_describe_themselves_for_search_engines_and_shared_links(
    client, described, path, lang, title, description, kind
):
    found = meta(client.get(path, HTTP_HOST="localhost").text)
    assert found["description"] == [description]
    assert found["og:description"] == [description]
    assert found["og:title"] == [title]
    assert found["og:type"] == [kind]
    assert found["og:url"] == [BASE + path]
    assert found["og:site_name"][0]
    other = {"en": "ru_RU", "ru": "en_GB"}[lang]
    assert found["og:locale"] == [{"en": "en_GB", "ru": "ru_RU"}[lang]]
    assert found["og:locale:alternate"] == [other]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_other_pages_carry_the_sites_description(client, described, lang):
    found = meta(client.get(f"/{lang}/").text)
    assert found["og:type"] == ["website"] and found["og:url"] == [f"{BASE}/{lang}/"]
    assert len(found["description"]) == 1 and found["description"] == found["og:description"]
    assert "2370" in found["description"][0]
    # The tracking page's address holds a private token: it is never offered for sharing.
    tracking = meta(client.get(tracking_path(make_feedback(), lang)).text)
    assert "og:url" not in tracking and "og:title" not in tracking


# --- noindex -------------------------------------------------------------------------------

NOINDEX = '<meta name="robots" content="noindex'


NOT_INDEXED = [
    "/{lang}/search/", "/{lang}/search/?q=marking", "/{lang}/feedback/",
    "/{lang}/feedback/?section=salw-marking", "/{lang}/preview/", "/{lang}/preview/modules/salw/",
    "/{lang}/preview/modules/salw/salw-marking/", "/{lang}/translation/",
    "/{lang}/translation/sections/salw-marking/",
]  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_search_preview_and_feedback_pages_are_not_indexed(editor_client, published, lang):
    for path in NOT_INDEXED:
        response = editor_client.get(path.format(lang=lang))
        assert response.status_code == 200, path
        assert response.text.count(NOINDEX) == 1, path


@pytest.mark.parametrize(
    "path",
    ["/{lang}/", "/{lang}/modules/salw/", "/{lang}/modules/salw/salw-marking/", "/{lang}/editions/",
     "/{lang}/editions/1.0/", "/{lang}/editions/1.0/modules/salw/salw-marking/"],
)  # fmt: skip
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_published_pages_are_indexed_and_shareable(client, published, path, lang):
    path = path.format(lang=lang)
    html = client.get(path).text
    assert "noindex" not in html
    assert 'hreflang="x-default"' in html
    assert meta(html)["og:url"] == [BASE + path]
