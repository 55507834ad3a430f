"""Issue 13, point 4: a Russian page, file or e-mail has no English in it. Every page type,
the CSV files and the contributor's e-mail are read in Russian and searched for the English
words of the interface catalogue (the words of its msgids that no Russian translation uses)."""

import csv
import io
import json
import re

import bibtexparser
import lxml.etree
import lxml.html
import pytest
import rispy
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from feedback.models import Feedback
from tests.conftest import confirm_second_factor
from tests.feedback.conftest import form_data
from tests.pages import PUBLIC_PAGES, STAFF_PAGES, page_url
from tests.test_locale import PO_FILE, _entries

# Names and formats that are the same in both languages.
SAME_IN_BOTH = {"Markdown", "XLIFF", "BibTeX", "Zotero", "Mendeley", "EndNote", "LaTeX", "JSON",
                "Atom", "Chromium", "Google", "Scholar", "Open", "Graph"}  # fmt: skip
# Demonstration content quotes titles of instruments and bodies as they are cited in Russian
# documents too (e.g. "ICAO Doc 10019"); these words of the catalogue may occur in it.
WORD = re.compile(r"\b[A-Za-z][a-z]{3,}\b")


def english_words() -> set[str]:
    entries = list(_entries(PO_FILE.read_text(encoding="utf-8")))
    russian = " ".join(" ".join(strs) for _flags, _msgid, strs in entries)
    used_in_russian = set(WORD.findall(russian))
    words = {w for _f, msgid, _s in entries for w in WORD.findall(re.sub(r"%\(\w+\)s", "", msgid))}
    return words - used_in_russian - SAME_IN_BOTH


URL = re.compile(r"https?://\S+|/[a-z]{2}/\S*")


def visible_text(html: str) -> str:
    """The text a Russian reader sees or hears: text nodes and the alt, title, aria-label and
    placeholder attributes, without scripts, styles, addresses, names (translate="no") and
    passages marked as being in another language (lang="en": the language switch, an English
    text shown side by side or where no translation exists yet, which the page says)."""
    root = lxml.html.fromstring(html)
    for element in root.xpath(
        "//script | //style | //*[@translate='no'] | //*[@lang and not(starts-with(@lang, 'ru'))]"
    ):
        if element is not root:
            element.drop_tree()
    attributes = root.xpath(
        "//@alt | //@title | //@aria-label | //@placeholder"
        " | //meta[@name='description' or starts-with(@property, 'og:') and"
        " not(starts-with(@property, 'og:locale')) and @property!='og:url']/@content"
    )
    return URL.sub(" ", " ".join([root.text_content(), *attributes]))


MODULE_CODES = re.compile(r"\b(?:GEN|SALW|IED|UAS|ANX)\b")


def english_in(text: str, words: set[str]) -> list[str]:
    """The catalogue's English words in ``text``, and the English module codes."""
    return sorted({w for w in WORD.findall(text) if w in words} | set(MODULE_CODES.findall(text)))


@pytest.fixture
def demo(db, editor):
    call_command("load_demo")
    return editor


def test_annex_numbers_and_module_codes_read_in_russian():
    from django.utils import translation

    from modules.labels import module_code, section_number

    with translation.override("ru"):
        assert section_number("Annex 2.1") == "Приложение 2.1"
        assert (section_number("B.1.2"), section_number(""), module_code("ANX")) == (
            "B.1.2",
            "",
            "ПРИЛ",
        )
        assert module_code("NEW") == "NEW"  # a code nobody translated yet is shown as it is
    assert section_number("Annex 2.1") == "Annex 2.1" and module_code("ANX") == "ANX"


def test_the_catalogue_gives_words_to_look_for():
    words = english_words()
    assert {"Edition", "Annex", "Search", "Comment"} <= words
    assert "Markdown" not in words


def test_no_russian_page_has_english_in_it(client, demo):
    words = english_words()
    client.force_login(demo)
    confirm_second_factor(client, demo)
    found = {}
    annexes = {
        "annex module": "/{lang}/modules/annexes/",
        "annex section": "/{lang}/modules/annexes/annex-glossary-weapons/",
    }
    for name, path in {**PUBLIC_PAGES, **STAFF_PAGES, **annexes}.items():
        if name == "search results":
            path = "/{lang}/search/?q=маркировка+оружие"
        url = page_url(path, "ru")
        response = client.get(url, follow=True)
        assert response.status_code in (200, 202, 400, 404, 410), (name, response.status_code)
        english = english_in(visible_text(response.content.decode()), words)
        if english:
            found[name] = english
    assert found == {}, "\n".join(f"{name}: {english}" for name, english in found.items())


def test_no_russian_file_or_e_mail_has_english_in_it(client, emails_sent, demo, reviewer):
    words = english_words()
    mail.outbox.clear()
    with emails_sent():  # the worker sends the receipt, as in production
        response = client.post(
            "/ru/feedback/",
            form_data(comment="Предлагаю уточнить раздел."),
            HTTP_ORIGIN="http://testserver",
        )
    assert response.status_code == 302
    found = {}
    for message in mail.outbox:
        if message.to == ["aigerim@example.org"]:
            html = message.alternatives[0][0]
            text = " ".join([message.subject, URL.sub(" ", message.body), visible_text(html)])
            found.update({f"e-mail {message.subject}": english_in(text, words)})
    assert any(key.startswith("e-mail") for key in found), "the contributor was sent no e-mail"

    responses = client.get("/ru/feedback/editions/1.1/responses.csv")
    assert responses.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(responses.streaming_content).decode("utf-8-sig"))))
    # The header, and the columns the portal writes (type, decision); the others hold what
    # contributors and editors wrote, and addresses.
    written = " ".join([*rows[0], *(cell for row in rows[1:] for cell in (row[2], row[5]))])
    found["responses CSV"] = english_in(written, words)
    client.force_login(reviewer)
    export = client.get(reverse("admin:feedback_feedback_export"), HTTP_ACCEPT_LANGUAGE="ru")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    found["triage export header"] = english_in(" ".join(header), words)
    assert Feedback.objects.exists()
    found = {where: english for where, english in found.items() if english}
    assert found == {}, "\n".join(f"{where}: {english}" for where, english in found.items())


def citation_values(ext: str, text: str) -> str:
    """What a reader of the citation sees: the values, not the format's field names, the
    citation key or the address (identifiers)."""
    if ext == "bib":
        [entry] = bibtexparser.parse_string(text).entries
        return " ".join(f.value for f in entry.fields if f.key not in ("url", "urldate"))
    if ext == "ris":
        [record] = rispy.loads(text)
        return " ".join(str(v) for k, v in record.items() if k not in ("urls", "url", "id"))
    [item] = json.loads(text)
    # "type" is CSL's vocabulary ("report"), read by machines, never shown as text.
    return " ".join(str(v) for k, v in item.items() if k not in ("id", "URL", "type"))


@pytest.mark.parametrize("ext", ["bib", "ris", "json"])
def test_russian_citation_files_have_no_english(client, demo, ext):
    url = f"/ru/editions/1.1/modules/annexes/annex-glossary-weapons/cite.{ext}"
    response = client.get(url)
    assert response.status_code == 200
    values = citation_values(ext, response.content.decode("utf-8"))
    assert "Приложение 1.1" in values
    assert english_in(values, english_words()) == []


def test_the_russian_module_feed_has_no_english(client, demo):
    response = client.get("/ru/modules/annexes/feed/")
    assert response.status_code == 200
    root = lxml.etree.fromstring(response.content)
    texts = [t for t in root.itertext() if not t.startswith(("http", "tag:"))]
    summaries = " ".join(visible_text(f"<div>{t}</div>") if "<" in t else t for t in texts)
    assert english_in(URL.sub(" ", summaries), english_words()) == []
