"""Translation status, the English changes a translation lacks, and XLIFF export/import."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from modules import services, xliff
from modules.models import Section


@pytest.fixture
def outdated(published):
    marking = Section.objects.get(key="salw-marking")
    services.section_update(section=marking, body_en="States must mark every weapon.")
    services.section_update(
        section=Section.objects.get(key="salw-tracing"), title_ru="", body_ru=""
    )
    return marking


# --- Status pages ----------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/en/translation/", "/ru/translation/sections/salw-marking/"])
def test_status_pages_need_a_back_office_role(
    client, reader, staff_without_permissions, outdated, url
):
    assert client.get(url).status_code == 302
    for user in (reader, staff_without_permissions):
        client.force_login(user)
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["editor", "translator"])
def test_editors_and_translators_see_the_status_of_every_section(client, outdated, role, request):
    client.force_login(request.getfixturevalue(role))
    response = client.get("/en/translation/")
    rows = {r.section.key: r.status for r in response.context["rows"]}
    assert rows == {
        "salw-upstream": "current", "salw-legislation": "current",
        "salw-marking": "outdated", "salw-tracing": "missing",
    }  # fmt: skip
    assert response.context["counts"] == {"missing": 1, "outdated": 1, "current": 2}


def test_status_filters(editor_client, outdated):
    response = editor_client.get("/en/translation/", {"status": "outdated", "module": "salw"})
    assert [r.section.key for r in response.context["rows"]] == ["salw-marking"]
    assert (
        editor_client.get("/en/translation/", {"status": "bogus", "module": "x"}).status_code == 200
    )


def test_detail_shows_the_english_changes_since_the_russian_update(editor_client, outdated):
    html = editor_client.get("/en/translation/sections/salw-marking/").text
    assert "[Deleted text: </span>English body of salw-marking." in html
    assert "States must mark every weapon." in html
    assert editor_client.get("/en/translation/sections/nope/").status_code == 404


def test_updating_the_russian_text_brings_the_section_up_to_date(client, translator, outdated):
    client.force_login(translator)
    services.section_update(
        section=outdated, body_ru="Государства обязаны маркировать всё оружие.", user=translator
    )
    rows = {r.section.key: r.status for r in client.get("/en/translation/").context["rows"]}
    assert rows["salw-marking"] == "current"
    html = client.get("/en/translation/sections/salw-marking/").text
    assert "has not changed since the Russian text was last updated" in html


# --- XLIFF -----------------------------------------------------------------------------


def export(client) -> bytes:
    response = client.get(reverse("modules:xliff_export", kwargs={"module": "salw"}))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('_SALW_en-ru.xlf"')
    return response.content


def upload(client, content: bytes, name: str = "salw.xlf"):
    return client.post(
        reverse("modules:xliff_import", kwargs={"module": "salw"}),
        {"file": SimpleUploadedFile(name, content, content_type="application/xml")},
    )


def test_round_trip_updates_only_the_russian_text(client, translator, outdated):
    client.force_login(translator)
    content = export(client).decode()
    assert 'original="salw"' in content and 'product-version="1.0"' in content
    # A missing Russian text has no <target>: the translator adds one.
    translated = content.replace(
        '<source xml:lang="en">Tracing</source>',
        '<source xml:lang="en">Tracing</source><target xml:lang="ru">Отслеживание</target>',
    )
    translated = translated.replace(
        "Русский текст раздела salw-marking.", "Государства обязаны маркировать всё оружие."
    )
    response = upload(client, translated.encode())
    assert response.status_code == 200
    report = response.context["report"]
    assert ("B.1.2", "body") in report.updated and ("B.2", "title") in report.updated
    marking = Section.objects.get(key="salw-marking")
    assert marking.body_ru == "Государства обязаны маркировать всё оружие."
    assert marking.body_en == "States must mark every weapon."
    assert Section.objects.get(key="salw-tracing").title_ru == "Отслеживание"


def test_units_whose_english_changed_since_export_are_skipped(client, editor, outdated):
    client.force_login(editor)
    content = export(client).decode().replace("Русский текст раздела salw-marking.", "Новое.")
    services.section_update(section=outdated, body_en="The English moved on again.")
    report = upload(client, content.encode()).context["report"]
    reasons = [r for number, field, r in report.skipped if (number, field) == ("B.1.2", "body")]
    assert len(reasons) == 2  # the unit for the old paragraph; none for the new one
    assert all(r.startswith("unit “salw-marking/body/paragraph-") for r in reasons)
    assert all("the English text changed since the export" in r for r in reasons)
    assert Section.objects.get(key="salw-marking").body_ru == "Русский текст раздела salw-marking."


def test_a_file_for_another_module_or_edition_is_refused(client, editor, outdated):
    from tests.conftest import publish

    client.force_login(editor)
    content = export(client)
    other = upload(client, content.replace(b'original="salw"', b'original="ied"'))
    assert other.status_code == 400 and "is for module" in other.text
    publish("1.1")
    stale = upload(client, content)
    assert stale.status_code == 400 and "Export a new file" in stale.text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not xml at all", "not well-formed"),
        (b"<html><body/></html>", "not an XLIFF 1.2"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">&b;</xliff>',
            "not well-formed",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
            "not well-formed",
        ),
        (b"x" * (xliff.MAX_BYTES + 10), "larger than 2 MB"),
    ],
)
def test_malformed_or_hostile_files_are_refused_and_nothing_changes(
    client, editor, outdated, content, message
):
    client.force_login(editor)
    response = upload(client, content)
    assert response.status_code == 400
    assert message in response.text
    assert Section.objects.get(key="salw-marking").body_ru == "Русский текст раздела salw-marking."


def test_a_file_with_a_bad_unit_imports_nothing(client, editor, outdated):
    client.force_login(editor)
    content = export(client).decode().replace("Русский текст раздела salw-marking.", "Новое.")
    content = content.replace('id="salw-upstream/title"', 'id="salw-upstream/colour"')
    assert upload(client, content.encode()).status_code == 400
    assert Section.objects.get(key="salw-marking").body_ru == "Русский текст раздела salw-marking."


def test_only_xliff_files_are_accepted(client, editor, outdated):
    client.force_login(editor)
    response = upload(client, export(client), name="salw.exe")
    assert response.status_code == 400 and ".xlf" in response.text


def test_import_needs_the_change_permission(client, staff_without_permissions, outdated):
    client.force_login(staff_without_permissions)
    assert upload(client, b"<x/>").status_code == 403
    assert client.get(reverse("modules:xliff_export", kwargs={"module": "salw"})).status_code == 403


def test_a_russian_title_too_long_for_its_field_is_refused_with_a_reason(client, editor, outdated):
    """Penetration test, finding 7: a 500 before, with nothing written; now the unit is
    reported as skipped, and the other units of the file are imported."""
    client.force_login(editor)
    content = export(client).decode()
    too_long = "Д" * 256
    content = content.replace(
        '<source xml:lang="en">Tracing</source>',
        f'<source xml:lang="en">Tracing</source><target xml:lang="ru">{too_long}</target>',
    ).replace("Русский текст раздела salw-marking.", "Новое.")
    response = upload(client, content.encode())
    assert response.status_code == 200
    report = response.context["report"]
    assert ("B.2", "title", "the Russian text is longer than 255 characters") in report.skipped
    assert ("B.1.2", "body") in report.updated
    assert "longer than 255 characters" in response.text
    assert Section.objects.get(key="salw-tracing").title_ru != too_long
    assert Section.objects.get(key="salw-marking").body_ru == "Новое."


def test_an_upload_over_the_cap_is_refused_before_it_is_read(client, editor, outdated, settings):
    client.force_login(editor)
    response = upload(client, b"x" * (settings.UPLOAD_MAX_BYTES + 1))
    assert response.status_code == 413
    assert "too large" in response.text
    assert Section.objects.get(key="salw-marking").body_ru == "Русский текст раздела salw-marking."
