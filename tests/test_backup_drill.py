"""Backup while the site writes: `manage.py backup` runs while another process keeps submitting
feedback and editing the draft; the backup, restored into a new database, holds every write
whole or not at all.

The live database is a real one of the configured kind (a SQLite file, or a new PostgreSQL
database), written by a separate `manage.py` process, as the site's workers would; the backup
and the restore are the commands an operator runs.
"""

import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from feedback.models import EventKind, Feedback
from modules import services
from modules.models import Section
from tests.conftest import make_module, make_section, publish
from tests.feedback.conftest import make_feedback
from tests.test_backup import manage, manage_environment, new_database

pytestmark = pytest.mark.django_db

WRITES_BEFORE = 15  # writes committed before the backup starts
WRITES_AFTER = 15  # and after it has finished, by the same writer, without a pause


# --- Run by `manage.py shell` on the live and the restored database ------------------------


def seed() -> None:
    """A published edition with the section the writer edits."""
    User.objects.create_user("drill-editor", is_staff=True)
    module = make_module("SALW")
    make_section(module, "salw-marking", body_en="Mark every weapon.")
    publish("1.0", notify=False)


def keep_writing(stop: str, log: str) -> None:
    """Write until the file ``stop`` exists: feedback submitted, then a draft edit, each in its
    own transaction, numbered in order; each number goes to ``log`` once committed."""
    editor = User.objects.get(username="drill-editor")
    deadline = time.monotonic() + 600  # a safety net: the test stops it long before
    with open(log, "a") as out:
        number = 0
        while not os.path.exists(stop) and time.monotonic() < deadline:
            number += 1
            make_feedback(comment=f"Drill comment {number}", email=f"drill{number}@example.org")
            section = Section.objects.get(key="salw-marking")
            services.section_update(
                section=section, user=editor, comment=f"Drill edit {number}",
                body_en=f"Drill body {number}",
            )  # fmt: skip
            out.write(f"{number} {time.time()}\n")
            out.flush()


def drill_state() -> dict:
    """What the restored database holds of the writer's work, and whether each write is
    whole: an item with its reference and its "received" entry, an edit with its version."""
    from reversion.models import Version

    items = Feedback.objects.filter(comment__startswith="Drill comment")
    section = Section.objects.get(key="salw-marking")
    versions = list(Version.objects.get_for_object(section))  # newest first
    return {
        "comments": sorted(int(c.split()[-1]) for c in items.values_list("comment", flat=True)),
        "without_received_entry": items.exclude(events__kind=EventKind.SUBMITTED).count(),
        "unfinished_references": items.filter(reference__startswith="~").count(),
        "edits": sorted(
            int(v.revision.comment.split()[-1])
            for v in versions
            if v.revision.comment.startswith("Drill edit")
        ),
        "body": section.body_en,
        "newest_version_body": versions[0].field_dict["body_en"],
    }


# --- The drill -----------------------------------------------------------------------------


def _shell(code: str, database_url: str) -> str:
    result = manage("shell", "-c", code, database_url=database_url)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _written(log) -> list[tuple[int, float]]:
    if not log.exists():
        return []
    return [(int(n), float(t)) for n, t in (line.split() for line in log.read_text().splitlines())]


def _wait_for(log, count: int, writer: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while len(_written(log)) < count:
        assert writer.poll() is None, "the writer stopped (see writer.err)"
        assert time.monotonic() < deadline, "the writer is too slow"
        time.sleep(0.05)


def test_a_backup_taken_while_the_site_writes_restores_every_write_whole_or_not_at_all(
    tmp_path,
):
    stop, log, backup = tmp_path / "stop", tmp_path / "written.log", tmp_path / "live.backup"
    with new_database(tmp_path, "live") as live, new_database(tmp_path, "drill") as target:
        migrated = manage("migrate", "--noinput", database_url=live)
        assert migrated.returncode == 0, migrated.stderr
        _shell("from tests.test_backup_drill import seed; seed()", live)
        errors = (tmp_path / "writer.err").open("w")
        writer = subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c",
             f"from tests.test_backup_drill import keep_writing; keep_writing({str(stop)!r}, "
             f"{str(log)!r})"],
            cwd=settings.BASE_DIR, env=manage_environment(live),
            stdout=subprocess.DEVNULL, stderr=errors,
        )  # fmt: skip
        try:
            _wait_for(log, WRITES_BEFORE, writer)
            started = time.time()
            made = manage("backup", "--output", str(backup), database_url=live)
            finished = time.time()
            assert made.returncode == 0, made.stderr
            done_at_start = sum(1 for _n, at in _written(log) if at < started)
            _wait_for(log, len(_written(log)) + WRITES_AFTER, writer)
        finally:
            stop.touch()
            try:
                writer.wait(timeout=60)
            except subprocess.TimeoutExpired:
                writer.kill()
                writer.wait()
            errors.close()
        assert writer.returncode == 0, (tmp_path / "writer.err").read_text()
        done_at_end = sum(1 for _n, at in _written(log) if at <= finished)
        assert len(_written(log)) > done_at_end  # the writer went on after the backup

        restored = manage("restore", str(backup), database_url=target)
        assert restored.returncode == 0, restored.stderr
        assert "1.0" in restored.stdout and "OK" in restored.stdout
        state = json.loads(
            _shell(
                "import json; from tests.test_backup_drill import drill_state; "
                "print(json.dumps(drill_state()))",
                target,
            )
            .strip()
            .splitlines()[-1]
        )

    comments, edits = state["comments"], state["edits"]
    # Every write the backup holds is whole, and they are the first ones, with no gap.
    assert state["without_received_entry"] == 0 and state["unfinished_references"] == 0
    assert comments == list(range(1, len(comments) + 1))
    assert edits == list(range(1, len(edits) + 1))
    assert len(edits) in (len(comments) - 1, len(comments))  # an edit follows its comment
    assert state["body"] == state["newest_version_body"] == f"Drill body {len(edits)}"
    # The backup is the database as it stood at one moment during the command.
    assert done_at_start <= len(comments) <= done_at_end + 1
