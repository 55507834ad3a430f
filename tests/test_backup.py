"""Backup and restore drill: back up the portal, restore into a fresh database, and find the
same editions (same fingerprints), the same feedback with its history, and a draft history
that still reverts.

Runs on whichever database is configured: SQLite (the restore goes into a new file) or
PostgreSQL (into a new database, dropped afterwards). The restored database is read by
`manage.py` subprocesses pointed at it with DATABASE_URL, so every check really queries it.
Transactional: pg_dump and other processes only see committed data.
"""

import datetime
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from io import StringIO
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import CommandError, call_command
from django.db import connection
from reversion.models import Version

from feedback import services as feedback_services
from feedback.models import Feedback, Status
from guidelines_portal import backups
from modules import services
from modules.models import Edition, EditionPDF, EditionSection, PDFStatus, Section
from tests.conftest import make_module, make_section, publish
from tests.feedback.conftest import make_feedback

pytestmark = pytest.mark.django_db(transaction=True)

FIRST = "Mark every weapon at manufacture."
SECOND = "Mark every weapon at manufacture and on import."
THIRD = "Mark every weapon at manufacture, on import and on transfer from State stocks."


# --- What the drill compares (also run in subprocesses, on the restored database) ----------


def content_state() -> dict:
    """Editions, feedback with its history, and the draft's versions, as plain JSON."""
    editions = [
        {
            "number": edition.number,
            "published_on": edition.published_on.isoformat(),
            "text_fingerprint": edition.text_fingerprint,
            "sections": list(edition.sections.order_by("sort_key").values_list("key", "text_hash")),
        }
        for edition in Edition.objects.order_by("major", "minor")
    ]
    recomputed = {check.number: check.recomputed for check in backups.check_editions()}
    feedback = [
        {
            "reference": item.reference,
            "status": item.status,
            "comment": item.comment,
            "incorporated_in": item.incorporated_in.number if item.incorporated_in else None,
            "events": [
                [
                    event.at.isoformat(),
                    event.kind,
                    event.old_status,
                    event.new_status,
                    event.text,
                    event.actor.username if event.actor else None,
                ]
                for event in item.events.order_by("at", "pk")
            ],
        }
        for item in Feedback.objects.order_by("reference")
    ]
    versions = {
        section.key: [
            [version.revision.comment, version.field_dict["body_en"]]
            for version in Version.objects.get_for_object(section)
        ]
        for section in Section.objects.order_by("key")
    }
    return {
        "editions": editions,
        "recomputed": recomputed,
        "feedback": feedback,
        "versions": versions,
    }


def revert_marking_to_first_version() -> dict:
    """Revert the marking section to its oldest version, as an editor would in the back office."""
    section = Section.objects.get(key="salw-marking")
    oldest = Version.objects.get_for_object(section).last()
    before = section.body_en
    reverted = services.section_revert(version=oldest)
    return {
        "before": before,
        "after": Section.objects.get(pk=reverted.pk).body_en,
        "versions": Version.objects.get_for_object(section).count(),
    }


# --- Helpers ---------------------------------------------------------------------------


def manage_environment(database_url: str) -> dict:
    """The environment of a `manage.py` process on the database at ``database_url``."""
    environment = dict(os.environ)
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    environment["DATABASE_URL"] = database_url
    return environment


def manage(*arguments: str, database_url: str) -> subprocess.CompletedProcess:
    """`manage.py` in a fresh process on the database at ``database_url``."""
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=settings.BASE_DIR,
        env=manage_environment(database_url),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _call(*arguments: str) -> str:
    """call_command in this process (on the test database); returns what it printed."""
    out = StringIO()
    call_command(*arguments, stdout=out)
    return out.getvalue()


def state_of(database_url: str) -> dict:
    result = manage(
        "shell", "-c",
        "import json; from tests.test_backup import content_state; "
        "print(json.dumps(content_state()))",
        database_url=database_url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _pg_admin():
    params = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres",
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
    )
    admin.autocommit = True
    return admin


@contextmanager
def new_database(tmp_path, suffix: str):
    """The URL of a new, empty database of the configured kind (dropped afterwards)."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / f'{suffix}.sqlite3'}"
        return
    params = connection.settings_dict
    name = f"{params['NAME']}_{suffix}"
    admin = _pg_admin()
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        credentials = quote(params["USER"] or "", safe="")
        if params["PASSWORD"]:
            credentials += ":" + quote(params["PASSWORD"], safe="")
        port = f":{params['PORT']}" if params["PORT"] else ""
        yield f"postgres://{credentials}@{params['HOST'] or 'localhost'}{port}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def fresh_database(tmp_path):
    with new_database(tmp_path, "restore") as url:
        yield url


@pytest.fixture
def content(editor, reviewer):
    """Two editions; a draft section changed since (three versions); feedback decided,
    addressed and incorporated in 1.1, and another item not accepted."""
    module = make_module("SALW")
    chapter = make_section(module, "salw-upstream", title_en="Upstream measures")
    marking = make_section(module, "salw-marking", parent=chapter, body_en=FIRST)
    make_section(module, "salw-tracing", title_en="Tracing")
    publish("1.0", on=datetime.date(2022, 3, 18), notify=False)

    item = make_feedback("salw-marking", comment="Say when imported weapons are marked.")
    other = make_feedback("salw-tracing", email="b@example.org", comment="Out of our remit.")
    for status in (Status.UNDER_REVIEW, Status.ACCEPTED):
        feedback_services.feedback_set_status(
            feedback=item, status=status, user=reviewer, notify=False
        )
    feedback_services.feedback_set_status(
        feedback=other, status=Status.NOT_ACCEPTED, user=reviewer, notify=False
    )
    feedback_services.feedback_note(feedback=item, text="Check the ATT wording.", user=reviewer)
    marking = services.section_update(
        section=marking, user=editor, comment="Import marking", body_en=SECOND
    )
    feedback_services.feedback_mark_addressed(section=marking, items=[item], user=editor)
    edition = publish("1.1", on=datetime.date(2023, 6, 1), notify=False)
    services.section_update(section=marking, user=editor, comment="Transfers", body_en=THIRD)
    # A PDF recorded as built: its file is not in backups, and the restore says so.
    EditionPDF.objects.filter(edition=edition, module_slug="", language="en").update(
        status=PDFStatus.READY, file="pdfs/not-in-the-backup.pdf"
    )
    return edition


# --- The drill -------------------------------------------------------------------------


def test_drill_restores_editions_feedback_and_a_history_that_reverts(
    content, tmp_path, fresh_database
):
    before = json.loads(json.dumps(content_state()))  # as the subprocesses report it
    assert [e["number"] for e in before["editions"]] == ["1.0", "1.1"]
    assert before["recomputed"] == {e["number"]: e["text_fingerprint"] for e in before["editions"]}
    accepted = before["feedback"][0]
    assert accepted["incorporated_in"] == "1.1"
    assert [event[1] for event in accepted["events"]] == [
        "submitted", "status", "status", "note", "addressed", "incorporated",
    ]  # fmt: skip
    marking_versions = before["versions"]["salw-marking"]
    bodies = [body for _comment, body in marking_versions]
    assert [b for i, b in enumerate(bodies) if i == 0 or bodies[i - 1] != b] == [
        THIRD, SECOND, FIRST,
    ]  # fmt: skip

    SessionStore().create()  # someone signed in when the backup was made
    backup = tmp_path / "drill" / "portal.backup"
    output = _call("backup", "--output", str(backup))
    assert backup.is_file() and not list(backup.parent.glob(".*.tmp"))
    for edition in before["editions"]:
        assert f"{edition['number']:<8} {edition['text_fingerprint']}" in output
    assert "Feedback items: 2" in output and "build_edition_pdfs" in output
    digest = hashlib.sha256(backup.read_bytes()).hexdigest()
    assert backups.checksum_path(backup).read_text() == f"{digest}  portal.backup\n"

    restored = manage("restore", str(backup), database_url=fresh_database)
    assert restored.returncode == 0, restored.stderr
    assert "Checksum verified" in restored.stdout
    for edition in before["editions"]:
        assert f"{edition['number']:<8} {edition['text_fingerprint']}  OK" in restored.stdout
    assert "PDF files missing for editions 1.1" in restored.stdout
    assert "Sign-in sessions that came back with the backup, ended: 1." in restored.stdout
    assert "migrations the backup predates" not in restored.stdout

    # Same editions (stored and recomputed fingerprints), feedback, history, versions.
    assert state_of(fresh_database) == before

    reverted = manage(
        "shell", "-c",
        "import json; from tests.test_backup import revert_marking_to_first_version as r; "
        "print(json.dumps(r()))",
        database_url=fresh_database,
    )  # fmt: skip
    assert reverted.returncode == 0, reverted.stderr
    assert json.loads(reverted.stdout.strip().splitlines()[-1]) == {
        "before": THIRD, "after": FIRST, "versions": len(marking_versions) + 1,
    }  # fmt: skip

    # The restored database now holds content: a second restore needs --force, then
    # replaces everything (the revert above is gone again).
    refused = manage("restore", str(backup), database_url=fresh_database)
    assert refused.returncode != 0 and "--force" in refused.stderr
    forced = manage("restore", "--force", str(backup), database_url=fresh_database)
    assert forced.returncode == 0, forced.stderr
    assert state_of(fresh_database) == before


def test_restore_fails_when_an_edition_no_longer_matches_its_fingerprint(
    content, tmp_path, fresh_database
):
    """Frozen text changed behind the portal's back (raw SQL, PostgreSQL's guard triggers
    off): a body alone (1.0), or a body with a matching text hash (1.1)."""
    forged = EditionSection.compute_text_hash(
        title_en="Title salw-marking", title_ru="Заголовок salw-marking",
        body_en="Forged.", body_ru="Русский текст раздела salw-marking.",
    )  # fmt: skip
    update = (
        "UPDATE modules_editionsection SET body_en = %s, text_hash = %s "
        "WHERE key = %s AND edition_id = %s"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE modules_editionsection DISABLE TRIGGER USER")
        try:
            first = Edition.objects.get(number="1.0")
            stored = EditionSection.objects.get(edition=first, key="salw-marking").text_hash
            cursor.execute(update, ["Tampered.", stored, "salw-marking", first.pk])
            cursor.execute(update, ["Forged.", forged, "salw-marking", content.pk])
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE modules_editionsection ENABLE TRIGGER USER")
    backup = tmp_path / "portal.backup"
    _call("backup", "--output", str(backup))

    restored = manage("restore", str(backup), database_url=fresh_database)
    assert restored.returncode != 0
    lines = {line.split()[0]: line for line in restored.stdout.splitlines() if "MISMATCH" in line}
    assert lines["1.0"].endswith("; sections altered: salw-marking)")
    fingerprint = content.text_fingerprint
    assert re.search(rf"^ +1\.1 +{fingerprint}  MISMATCH \(recomputed (?!{fingerprint})\w+\)$",
                     lines["1.1"])  # fmt: skip
    assert "do not put this database in service" in restored.stderr


# --- Refusals --------------------------------------------------------------------------


def test_restore_refuses_a_database_that_is_not_empty(content, tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    _call("backup")
    backup, checksum = sorted((tmp_path / "backups").iterdir())
    assert re.fullmatch(r"guidelines-\d{8}T\d{6}Z\.(sqlite3|pgdump)", backup.name)
    assert checksum == backups.checksum_path(backup)
    services.section_update(section=Section.objects.get(key="salw-marking"), body_en="Newer.")

    with pytest.raises(CommandError, match=r"not empty \(it holds editions.*--force"):
        call_command("restore", str(backup))
    assert Section.objects.get(key="salw-marking").body_en == "Newer."


def test_a_damaged_backup_is_refused_before_anything_changes(content, tmp_path):
    backup = tmp_path / "portal.backup"
    _call("backup", "--output", str(backup))
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    backup.write_bytes(bytes(data))
    services.section_update(section=Section.objects.get(key="salw-marking"), body_en="Newer.")

    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", "--force", str(backup))
    assert Section.objects.get(key="salw-marking").body_en == "Newer."


def test_a_backup_without_its_checksum_is_restored_only_when_asked(
    content, tmp_path, fresh_database
):
    backup = tmp_path / "portal.backup"
    _call("backup", "--output", str(backup))
    backups.checksum_path(backup).unlink()

    refused = manage("restore", str(backup), database_url=fresh_database)
    assert refused.returncode != 0
    assert "There is no portal.backup.sha256 beside" in refused.stderr
    assert "--no-checksum" in refused.stderr
    restored = manage("restore", "--no-checksum", str(backup), database_url=fresh_database)
    assert restored.returncode == 0, restored.stderr
    assert "restored unverified" in restored.stdout
    assert "1.1" in restored.stdout and "MISMATCH" not in restored.stdout


@pytest.mark.parametrize("checksum", ["", "not a digest  portal.backup\n", "abc\n"])
def test_a_malformed_checksum_file_is_refused(content, tmp_path, checksum):
    backup = tmp_path / "portal.backup"
    _call("backup", "--output", str(backup))
    backups.checksum_path(backup).write_text(checksum)
    with pytest.raises(CommandError, match="is not a SHA-256 checksum file"):
        call_command("restore", "--force", str(backup))


def test_a_backup_from_an_older_release_is_migrated_before_it_is_checked(tmp_path):
    """The backup predates the code's last migration: the restore applies it, then verifies."""
    older = f"sqlite:///{tmp_path / 'older.sqlite3'}"
    # The demonstration data, then the schema taken back to before 0013 (today's code writes
    # the search index of migration 0016 when it publishes, so it cannot publish on 0012).
    for arguments in (("migrate",), ("load_demo",), ("migrate", "modules", "0012")):
        result = manage(*arguments, database_url=older)
        assert result.returncode == 0, result.stderr
    backup = tmp_path / "older.sqlite3.backup"
    assert manage("backup", "--output", str(backup), database_url=older).returncode == 0

    restored_url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    restored = manage("restore", str(backup), database_url=restored_url)
    assert restored.returncode == 0, restored.stderr
    assert "Applied the migrations the backup predates: modules.0013_edition_corrections" in (
        restored.stdout
    )
    assert "1.1" in restored.stdout and "MISMATCH" not in restored.stdout
    plan = manage("showmigrations", "--plan", database_url=restored_url).stdout
    assert "[ ]" not in plan and "[X]  modules.0013_edition_corrections" in plan


def test_a_backup_of_the_other_database_kind_is_refused(db, tmp_path):
    other = tmp_path / "other.backup"
    if connection.vendor == "sqlite":
        other.write_bytes(b"PGDMP" + bytes(100))
        expected = "is a PostgreSQL backup, but the configured database is SQLite"
    else:
        sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
        expected = "SQLite backup, but the configured database is PostgreSQL"
    with pytest.raises(CommandError, match=expected):
        call_command("restore", "--no-checksum", str(other))


def test_postgresql_backup_needs_pg_dump(db, tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump is only used on PostgreSQL")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match="pg_dump was not found"):
        call_command("backup", "--output", str(tmp_path / "portal.backup"))
    assert list(tmp_path.iterdir()) == []


# --- SQLite's online backup while the site writes ----------------------------------------


def test_sqlite_copy_is_consistent_while_another_connection_writes(tmp_path):
    """Each writer transaction adds a batch row and ten ledger rows: a copy taken between
    two commits holds exactly ten ledger rows a batch, and writes go on during the copy."""
    live = tmp_path / "live.sqlite3"
    setup = sqlite3.connect(live, isolation_level=None)
    setup.executescript(
        """
        PRAGMA journal_mode=WAL;
        CREATE TABLE batch (id INTEGER PRIMARY KEY);
        CREATE TABLE ledger (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, pad TEXT);
        """
    )
    setup.execute("BEGIN")
    for batch in range(1, 5001):
        setup.execute("INSERT INTO batch (id) VALUES (?)", (batch,))
        setup.executemany(
            "INSERT INTO ledger (batch, pad) VALUES (?, ?)", [(batch, "x" * 300)] * 10
        )
    setup.execute("COMMIT")
    setup.close()

    commits: list[float] = []
    stop = threading.Event()

    def write() -> None:
        writer = sqlite3.connect(live, isolation_level=None, timeout=20)
        writer.execute("PRAGMA synchronous=NORMAL")
        while not stop.is_set():
            writer.execute("BEGIN IMMEDIATE")
            batch = writer.execute("INSERT INTO batch DEFAULT VALUES").lastrowid
            writer.executemany(
                "INSERT INTO ledger (batch, pad) VALUES (?, ?)", [(batch, "y" * 300)] * 10
            )
            writer.execute("COMMIT")
            commits.append(time.monotonic())
        writer.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while len(commits) < 20:
            time.sleep(0.001)
        source = sqlite3.connect(live)
        started = time.monotonic()
        backups.sqlite_copy(source, tmp_path / "copy.sqlite3")
        finished = time.monotonic()
        source.close()
    finally:
        stop.set()
        thread.join()

    assert any(started <= at <= finished for at in commits), "no write during the copy"
    copy = sqlite3.connect(f"{(tmp_path / 'copy.sqlite3').as_uri()}?mode=ro", uri=True)
    assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    batches, ledger_rows = copy.execute(
        "SELECT (SELECT COUNT(*) FROM batch), (SELECT COUNT(*) FROM ledger)"
    ).fetchone()
    assert 5000 < batches < 5000 + len(commits) and ledger_rows == batches * 10
    assert copy.execute(
        "SELECT COUNT(*) FROM (SELECT batch FROM ledger GROUP BY batch HAVING COUNT(*) != 10)"
    ).fetchone() == (0,)
    copy.close()
