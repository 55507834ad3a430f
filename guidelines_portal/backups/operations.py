"""Backing up the portal's database, and restoring a backup (manage.py backup / restore).

The database holds everything that cannot be made again: the working draft with its history
(django-reversion), the published editions, feedback with its history, the accounts. The PDFs
in MEDIA_ROOT are not in it: they are generated from the editions and can be rebuilt
(`manage.py build_edition_pdfs NUMBER --force`), so a backup does not carry them.

A backup is one file: a copy of the SQLite database made with SQLite's online backup API, or a
pg_dump archive in custom format. Beside it, `<file>.sha256` (in sha256sum's format) lets a
restore refuse a file damaged in storage or on its way off the host.
"""

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.management import call_command
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from guidelines_portal.backups.drivers import (
    SUFFIXES,
    VENDOR_NAMES,
    backup_kind,
    describe,
    pg_dump,
    pg_restore,
    sqlite_contents,
    sqlite_copy,
    sqlite_restore,
)
from guidelines_portal.backups.files import (
    BackupError,
    checksum_path,
    sync_and_hash,
    sync_directory,
    verify_checksum,
    write_atomically,
)
from guidelines_portal.backups.integrity import (
    Contents,
    EditionCheck,
    check_editions,
    content_present,
    pdfs_to_rebuild,
    read_contents,
)
from guidelines_portal.page_store import store as page_store


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    sha256: str
    contents: Contents


@dataclass(frozen=True)
class RestoreResult:
    checksum_verified: bool  # False: restored unverified on request (no .sha256 beside it)
    editions: list[EditionCheck]
    contents: Contents
    pdfs_to_rebuild: list[str]  # numbers of editions whose ready PDFs have no file
    migrations_applied: list[str]  # the backup predates these: applied after the restore
    sessions_ended: int  # sign-in sessions that came back with the backup, ended

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.editions)


def default_backup_path(vendor: str) -> Path:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.BACKUP_DIR) / f"guidelines-{stamp}{SUFFIXES[vendor]}"


def backup_database(output: Path | None = None, *, using: str = "default") -> BackupResult:
    """Write a backup of the database ``using`` to ``output`` (default: a new file in
    BACKUP_DIR) and its checksum beside it.

    The file appears only once complete (written under a temporary name, then renamed), so
    a copy job picking up the folder never takes a half-written backup. It is readable by its
    owner only: it holds contributors' names and e-mail addresses.
    """
    connection = connections[using]
    if connection.vendor not in SUFFIXES:
        raise BackupError(
            f"Cannot back up a {connection.vendor} database: only SQLite and PostgreSQL."
        )
    if connection.in_atomic_block:
        # This connection's uncommitted changes would be in the copy (SQLite), and pg_dump
        # could not share the snapshot the summary is counted in (PostgreSQL).
        raise BackupError("Run the backup outside a transaction.")
    path = Path(output) if output else default_backup_path(connection.vendor)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary_name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            sqlite_copy(connection.connection, temporary)
            contents = sqlite_contents(temporary)
        else:
            contents = pg_dump(connection, temporary)
        digest = sync_and_hash(temporary)
        # The checksum is in place before the file appears: a copy job never takes the
        # backup without it (and an earlier file's checksum never stands beside this one).
        write_atomically(checksum_path(path), f"{digest}  {path.name}\n")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        if not path.exists():
            checksum_path(path).unlink(missing_ok=True)
        raise
    sync_directory(path.parent)
    return BackupResult(path=path, size=path.stat().st_size, sha256=digest, contents=contents)


def restore_database(
    path: Path, *, using: str = "default", force: bool = False, unverified: bool = False
) -> RestoreResult:
    """Replace the contents of the database ``using`` with the backup at ``path``, bring its
    schema up to date, end the sign-in sessions it brought back, then check every edition's
    fingerprint against its text.

    Refuses a damaged file (checksum), a file without its checksum unless ``unverified``, a
    backup of the other kind of database, and a database that already holds content unless
    ``force``. Stop the site and its worker first: a restore replaces what they are reading.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    verified = verify_checksum(path, required=not unverified)
    connection = connections[using]
    kind = backup_kind(path)
    if kind is None:
        raise BackupError(
            f"{path} is neither an SQLite database nor a pg_dump archive in custom format."
        )
    if kind != connection.vendor:
        raise BackupError(
            f"{path} is a {VENDOR_NAMES[kind]} backup, but the configured database is "
            f"{VENDOR_NAMES.get(connection.vendor, connection.vendor)}."
        )
    try:
        present = content_present(connection)
    except DatabaseError as error:
        raise BackupError(
            f"Cannot open the {describe(connection)}: {str(error).strip()}. Create it first (empty); "
            "the restore makes its tables."
        ) from error
    if present and not force:
        raise BackupError(
            f"The {describe(connection)} is not empty (it holds {', '.join(present)}). A restore "
            "replaces everything in it: run again with --force if that is what you want."
        )
    if kind == "sqlite":
        sqlite_restore(path, connection)
    else:
        pg_restore(path, connection)
    # Content type ids come from the backup; a cached id from before would be wrong.
    ContentType.objects.clear_cache()
    applied = _migrate(connection)
    # Sessions signed out or revoked since the backup was made must not come back to life.
    sessions_ended, _ = Session.objects.using(using).all().delete()
    with connection.cursor() as cursor:
        contents = read_contents(cursor)
    # What was kept from published editions (search results, fragments) may name editions
    # that the backup does not hold, or holds under other ids.
    caches["published"].clear()
    if settings.PAGE_STORE:  # pages stored from the database as it was are out of date
        page_store.database.cache_clear()
        page_store.store.invalidate()
    return RestoreResult(
        checksum_verified=verified,
        editions=check_editions(using=using),
        contents=contents,
        pdfs_to_rebuild=pdfs_to_rebuild(using=using),
        migrations_applied=applied,
        sessions_ended=sessions_ended,
    )


def _migrate(connection: BaseDatabaseWrapper) -> list[str]:
    """Apply the migrations a backup from an older release predates; their names."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        call_command("migrate", database=connection.alias, interactive=False, verbosity=0)
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
