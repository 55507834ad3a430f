"""Upgrading to digests of tracking tokens (migration feedback 0005) keeps every link already
sent working, and takes the tokens themselves out of the database."""

import datetime
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.test_backup import manage, new_database

OLD_TOKEN = "a-tracking-token-sent-by-e-mail-before-the-upgrade-0123456789"
BEFORE = ("feedback", "0004_module_protected_response_event")


def old_row() -> None:
    """An item as the release before stored it (run on a database migrated to 0004)."""
    apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    apps.get_model("feedback", "Feedback").objects.create(
        reference="FB-2025-0001", language="ru", kind="technical", comment="Old comment.",
        category="state", received_on=datetime.date(2025, 5, 1), tracking_token=OLD_TOKEN,
        tracking_expires_at=timezone.now() + datetime.timedelta(days=30),
    )  # fmt: skip


def after_upgrade() -> dict:
    from feedback.models import Feedback, TrackingLink

    item = Feedback.objects.tracked_by(OLD_TOKEN)
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(
            cursor, Feedback._meta.db_table
        )]  # fmt: skip
    return {
        "reference": item.reference if item else None,
        "links": TrackingLink.objects.count(),
        "columns": columns,
    }


@pytest.mark.django_db
def test_links_sent_before_the_upgrade_keep_working(tmp_path):
    with new_database(tmp_path, "upgrade") as url:
        _upgrade_and_check(url)


def _upgrade_and_check(url: str) -> None:
    for arguments in (
        ("migrate", *BEFORE),
        (
            "shell",
            "-c",
            "from tests.feedback.test_tracking_links_migration import old_row; old_row()",
        ),
        ("migrate",),
    ):
        result = manage(*arguments, database_url=url)
        assert result.returncode == 0, result.stderr
    result = manage(
        "shell", "-c",
        "import json; from tests.feedback.test_tracking_links_migration import after_upgrade; "
        "print(json.dumps(after_upgrade()))",
        database_url=url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout.strip().splitlines()[-1])
    assert state["reference"] == "FB-2025-0001" and state["links"] == 1
    assert (
        "tracking_token" not in state["columns"] and "tracking_expires_at" not in state["columns"]
    )
