"""Atom feeds: what RFC 4287 requires, permanent ids, absolute links from the public address,
conditional requests, and module feeds that describe the module's own changes."""

import datetime
import xml.etree.ElementTree as ET

import feedparser
import pytest

from modules import services
from modules.models import Section
from tests.conftest import make_large_module, make_module, make_section, publish

ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = ["/{lang}/editions/feed/", "/{lang}/modules/salw/feed/"]


def fetch(client, url: str, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    return response


def parse(client, url: str, **headers):
    """The feed as feedparser reads it (well-formed, valid Atom) and as an element tree."""
    content = fetch(client, url, **headers).content
    parsed = feedparser.parse(content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed, ET.fromstring(content)


def ids(client, url: str, **headers) -> list[str]:
    parsed, _tree = parse(client, url, **headers)
    return [parsed.feed.id] + [entry.id for entry in parsed.entries]


def links(tree: ET.Element) -> dict[str, str]:
    return {link.get("rel", "alternate"): link.get("href") for link in tree.findall(f"{ATOM}link")}


@pytest.fixture
def two_editions(published):
    """Edition 1.0, then 1.1 changing one section of SALW, adding one, and adding IED."""
    services.section_update(
        section=Section.objects.get(key="salw-marking"), body_en="Marked at import."
    )
    make_section(
        Section.objects.get(key="salw-upstream").module, "salw-brokering", title_en="Brokering"
    )
    make_section(make_module("IED", order=2, prefix="C."), "ied-scope", title_en="Scope")
    return publish("1.1", on=datetime.date(2024, 5, 1))


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("feed", FEEDS)
def test_feeds_hold_every_element_rfc_4287_requires(client, two_editions, feed, lang):
    parsed, tree = parse(client, feed.format(lang=lang))
    assert tree.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
    for name in ("id", "title", "updated"):
        assert (tree.find(f"{ATOM}{name}").text or "").strip(), name
    # The feed's author stands for every entry (4.1.1: in the feed or in every entry).
    assert tree.find(f"{ATOM}author/{ATOM}name").text.strip()
    assert parsed.feed.author
    feed_links = links(tree)
    assert feed_links["self"] == "https://guidelines.test" + feed.format(lang=lang)
    assert feed_links["alternate"].startswith(f"https://guidelines.test/{lang}/")
    entries = tree.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        for name in ("id", "title", "updated", "published", "summary"):
            assert (entry.find(f"{ATOM}{name}").text or "").strip(), name
        assert links(entry)["alternate"].startswith(f"https://guidelines.test/{lang}/")
    for entry in parsed.entries:
        assert entry.updated_parsed and entry.published_parsed


def test_editions_feed_is_in_the_readers_language_with_absolute_links(client, published):
    response = fetch(client, "/ru/editions/feed/", HTTP_HOST="127.0.0.1")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert feed.find(f"{ATOM}title").text == "Технические руководящие принципы: новые издания"
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Издание 1.0"]
    assert "Изменения в издании 1.0." in entries[0].find(f"{ATOM}summary").text
    assert links(entries[0])["alternate"] == "https://guidelines.test/ru/editions/1.0/"
    assert b"127.0.0.1" not in response.content and b"testserver" not in response.content


@pytest.mark.parametrize("feed", FEEDS)
def test_ids_never_change_with_the_public_address_or_the_host(client, settings, two_editions, feed):
    url = feed.format(lang="en")
    before = ids(client, url)
    assert all(i.startswith("tag:un.org,2022:technical-guidelines-2370/") for i in before)
    settings.PORTAL_BASE_URL = "https://moved.example.org"
    assert ids(client, url, HTTP_HOST="localhost") == before
    _parsed, tree = parse(client, url, HTTP_HOST="localhost")
    assert links(tree)["self"] == "https://moved.example.org" + url
    # The Russian feed is another feed, with entries of its own.
    russian = ids(client, feed.format(lang="ru"))
    assert len(russian) == len(before) and not set(russian) & set(before)


@pytest.mark.parametrize("feed", FEEDS)
def test_a_conditional_request_for_an_unchanged_feed_gets_304(client, published, feed):
    url = feed.format(lang="en")
    first = fetch(client, url)
    assert first["ETag"] and first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    other = fetch(client, feed.format(lang="ru"))
    assert other["ETag"] != first["ETag"]


def test_a_new_edition_changes_the_feed_validators(client, published):
    first = fetch(client, "/en/editions/feed/")
    services.section_update(section=Section.objects.get(key="salw-marking"), body_en="New.")
    publish("1.1")
    again = client.get("/en/editions/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert b"Edition 1.1" in again.content
    module = client.get("/en/modules/salw/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert module.status_code == 200


def test_a_corrected_edition_date_changes_the_feed(client, editor, published):
    first = fetch(client, "/en/editions/feed/")
    services.edition_correct_date(
        edition=published, published_on=datetime.date(2022, 3, 17), reason_en="Typo.", user=editor
    )
    again = client.get("/en/editions/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    entry = feedparser.parse(again.content).entries[0]
    assert entry.published_parsed[:3] == (2022, 3, 17)
    assert entry.updated_parsed[:3] >= entry.published_parsed[:3]


def test_module_feed_lists_only_editions_that_changed_the_module(client, published):
    make_section(make_module("IED", prefix="C."), "ied-scope")
    publish("1.1")  # IED added; SALW unchanged
    salw, _tree = parse(client, "/en/modules/salw/feed/")
    ied, _tree = parse(client, "/en/modules/ied/feed/")
    assert [e.title for e in salw.entries] == ["Edition 1.0: what changed in SALW"]
    assert [e.title for e in ied.entries] == ["Edition 1.1: what changed in IED"]
    assert client.get("/en/modules/nope/feed/").status_code == 404


def test_module_feed_describes_the_modules_changes_and_links_to_them(client, two_editions):
    parsed, _tree = parse(client, "/en/modules/salw/feed/")
    newest, first = parsed.entries
    assert newest.link == "https://guidelines.test/en/editions/1.0/compare/1.1/#module-salw"
    summary = newest.summary
    assert "What changed in SALW module from edition 1.0 to edition 1.1" in summary
    assert (
        'Changed: <a href="https://guidelines.test/en/editions/1.0/compare/1.1/sections/salw-marking/">B.1.2 Marking</a>'
        in summary
    )
    assert (
        'Added: <a href="https://guidelines.test/en/editions/1.0/compare/1.1/sections/salw-brokering/">B.3 Brokering</a>'
        in summary
    )
    assert "ied-scope" not in summary and "Legislation" not in summary
    # The edition in which the module first appeared links to the module as it stood then.
    assert first.link == "https://guidelines.test/en/editions/1.0/modules/salw/"
    assert "first appeared in edition 1.0, with 4 sections" in first.summary


def test_module_feed_in_russian_names_the_sections_in_russian(client, two_editions):
    parsed, _tree = parse(client, "/ru/modules/salw/feed/")
    summary = parsed.entries[0].summary
    assert "Изменён" in summary and "Заголовок salw-marking" in summary
    assert "/ru/editions/1.0/compare/1.1/sections/salw-marking/" in summary


def test_module_feed_reports_a_changed_executive_summary(client, draft, published):
    draft.summary_en = "A new summary."
    draft.save()
    publish("1.1")
    parsed, _tree = parse(client, "/en/modules/salw/feed/")
    assert parsed.entries[0].title == "Edition 1.1: what changed in SALW"
    assert "title or executive summary changed" in parsed.entries[0].summary


def test_feeds_are_advertised_in_the_page_head(client, published):
    html = client.get("/en/modules/salw/").text
    assert 'type="application/atom+xml" href="/en/editions/feed/"' in html
    assert 'type="application/atom+xml" href="/en/modules/salw/feed/"' in html


@pytest.mark.parametrize("feed", FEEDS)
def test_feed_queries_do_not_grow_with_editions_or_sections(
    client, db, django_assert_max_num_queries, feed
):
    module = make_large_module("SALW", chapters=5, per_chapter=10)
    for number in range(5):
        section = Section.objects.filter(module=module).order_by("pk")[number]
        services.section_update(section=section, body_en=f"Revised {number}.")
        publish(f"1.{number}", on=datetime.date(2024, 1, number + 1))
    services.edition_correct_date(
        edition=publish("2.0", on=datetime.date(2024, 2, 1)),
        published_on=datetime.date(2024, 2, 2),
        reason_en="Typo.",
    )
    with django_assert_max_num_queries(4):
        response = fetch(client, feed.format(lang="en"))
    assert response["ETag"] and b"https://guidelines.test/en/" in response.content
