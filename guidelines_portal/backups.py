"""Backing up the portal's database, and restoring a backup (manage.py backup / restore).

The database holds everything that cannot be made again: the working draft with its history
(django-reversion), the published editions, feedback with its history, the accounts. The PDFs
in MEDIA_ROOT are not in it: they are generated from the editions and can be rebuilt
(`manage.py build_edition_pdfs NUMBER --force`), so a backup does not carry them.

A backup is one file: a copy of the SQLite database made with SQLite's online backup API, or a
pg_dump archive in custom format. Beside it, `<file>.sha256` (in sha256sum's format) lets a
restore refuse a file damaged in storage or on its way off the host.
"""

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from reversion.models import Version

from feedback.models import Feedback, FeedbackEvent
from modules.models import Edition, EditionPDF, EditionSection, Module, PDFStatus, Section
from modules.snapshots import edition_fingerprint

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"
# sha256sum's format: digest, two spaces (or space and *), the file name.
CHECKSUM_LINE = re.compile(r"(?P<digest>[0-9a-fA-F]{64}) [ *](?P<name>[^\n]+)\n?")
SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# libpq reads these from the environment: connection options never go on a command line,
# where other users of the host could read them.
PG_ENVIRONMENT = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


class BackupError(CommandError):
    """A backup or a restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Contents:
    """What a backup (or a restored database) holds, in numbers an operator can compare."""

    editions: list[tuple[str, str]]  # (number, text fingerprint), oldest first
    feedback: int
    feedback_events: int
    versions: int  # versions of draft modules and sections (django-reversion)


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    sha256: str
    contents: Contents


@dataclass(frozen=True)
class EditionCheck:
    """An edition's stored fingerprint against the one recomputed from its frozen text."""

    number: str
    stored: str
    recomputed: str
    altered_sections: list[str]  # keys whose text no longer matches their text hash

    @property
    def ok(self) -> bool:
        return self.stored == self.recomputed and not self.altered_sections


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


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def default_backup_path(vendor: str) -> Path:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.BACKUP_DIR) / f"guidelines-{stamp}{SUFFIXES[vendor]}"


def describe(connection: BaseDatabaseWrapper) -> str:
    """The database as an operator would name it (never with its password)."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite database {params['NAME']}"
    where = params.get("HOST") or "local socket"
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"PostgreSQL database {params['NAME']} on {where}{port}"


# --- Backup ----------------------------------------------------------------------------


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
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary = Path(temporary)
    try:
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            sqlite_copy(connection.connection, temporary)
            contents = _sqlite_contents(temporary)
        else:
            contents = _pg_dump(connection, temporary)
        digest = _sync_and_hash(temporary)
        # The checksum is in place before the file appears: a copy job never takes the
        # backup without it (and an earlier file's checksum never stands beside this one).
        _write_atomically(checksum_path(path), f"{digest}  {path.name}\n")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        if not path.exists():
            checksum_path(path).unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)
    return BackupResult(path=path, size=path.stat().st_size, sha256=digest, contents=contents)


def sqlite_copy(source: sqlite3.Connection, target: Path) -> None:
    """Copy the live SQLite database of ``source`` into the file ``target`` (online backup API).

    All pages are copied in one step, within one read transaction: the copy is the database
    as it stood at one instant. In WAL mode (the portal's setting) the site goes on writing
    meanwhile; in rollback-journal mode writers wait for the copy as for any long read. A copy
    in several steps would start over at every commit of another connection, possibly forever
    on a busy site.
    """
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
        # One self-contained file (no -wal beside it), whatever the live database's mode.
        destination.execute("PRAGMA journal_mode=DELETE")
        problems = _sqlite_problems(destination)
        if problems:
            raise BackupError(f"The copy fails SQLite's integrity check: {'; '.join(problems)}")
    finally:
        destination.close()


def _sqlite_contents(path: Path) -> Contents:
    """What the copy itself holds (the live database may have changed since)."""
    database = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return _read_contents(database.cursor())
    finally:
        database.close()


def _pg_dump(connection: BaseDatabaseWrapper, target: Path) -> Contents:
    """pg_dump in custom format, reading the same snapshot as the summary counted here."""
    executable = _pg_program("pg_dump")
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        _run_pg(
            connection,
            executable,
            "--format=custom",
            "--no-owner",
            "--no-privileges",  # grants name roles a new server may not have
            f"--snapshot={snapshot}",
            f"--file={target}",
        )
        return _read_contents(cursor)


def _read_contents(cursor) -> Contents:
    """Count what a database holds with plain SQL, so that the same code reads the backup
    file itself (SQLite) or the snapshot pg_dump read (PostgreSQL)."""

    def table(model) -> str:
        return f'"{model._meta.db_table}"'

    # Table names come from the models, never from input.
    cursor.execute(f"SELECT number, text_fingerprint FROM {table(Edition)} ORDER BY major, minor")  # noqa: S608  # nosec B608
    editions = [(number, fingerprint) for number, fingerprint in cursor.fetchall()]
    counts = []
    for model in (Feedback, FeedbackEvent, Version):
        cursor.execute(f"SELECT COUNT(*) FROM {table(model)}")  # noqa: S608  # nosec B608
        counts.append(cursor.fetchone()[0])
    feedback, events, versions = counts
    return Contents(editions=editions, feedback=feedback, feedback_events=events, versions=versions)


# --- Restore ---------------------------------------------------------------------------


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
        _sqlite_restore(path, connection)
    else:
        _pg_restore(path, connection)
    # Content type ids come from the backup; a cached id from before would be wrong.
    ContentType.objects.clear_cache()
    applied = _migrate(connection)
    # Sessions signed out or revoked since the backup was made must not come back to life.
    sessions_ended, _ = Session.objects.using(using).all().delete()
    with connection.cursor() as cursor:
        contents = _read_contents(cursor)
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


def verify_checksum(path: Path, *, required: bool = True) -> bool:
    """True when ``<path>.sha256`` exists and matches; a mismatch, a malformed checksum file
    or (when ``required``) a missing one is an error; False when it is missing and may be."""
    sidecar = checksum_path(path)
    if not sidecar.exists():
        if not required:
            return False
        raise BackupError(
            f"There is no {sidecar.name} beside {path}, so the file cannot be checked. Copy it "
            "along with the backup, or run again with --no-checksum to restore it unverified. "
            "Nothing was restored."
        )
    match = CHECKSUM_LINE.fullmatch(sidecar.read_text(encoding="ascii", errors="replace"))
    if match is None:
        raise BackupError(
            f"{sidecar.name} is not a SHA-256 checksum file (a 64-digit hex digest, two "
            "spaces, the file name). Nothing was restored."
        )
    expected = match["digest"].lower()
    actual = _file_sha256(path)
    if actual != expected:
        raise BackupError(
            f"{path} does not match its checksum in {sidecar.name} (SHA-256 {actual}, "
            f"expected {expected}): the file is damaged or not the one backed up. "
            "Nothing was restored."
        )
    return True


def backup_kind(path: Path) -> str | None:
    """'sqlite' or 'postgresql' from the file's first bytes, or None for anything else."""
    with path.open("rb") as file:
        head = file.read(len(SQLITE_HEADER))
    if head == SQLITE_HEADER:
        return "sqlite"
    if head.startswith(PG_DUMP_HEADER):
        return "postgresql"
    return None


def content_present(connection: BaseDatabaseWrapper) -> list[str]:
    """What the database already holds that a restore would replace (empty list: nothing).

    A database with the portal's tables but none of its content, as `migrate` leaves it, is
    empty: restoring into it loses nothing.
    """
    tables = set(connection.introspection.table_names())
    return [
        str(model._meta.verbose_name_plural)
        for model in (Edition, Module, Section, Feedback, get_user_model())
        if model._meta.db_table in tables
        and model._default_manager.using(connection.alias).exists()
    ]


def _sqlite_restore(path: Path, connection: BaseDatabaseWrapper) -> None:
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        problems = _sqlite_problems(source)
        if problems:
            raise BackupError(
                f"{path} fails SQLite's integrity check ({'; '.join(problems)}). "
                "Nothing was restored."
            )
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()


def _pg_restore(path: Path, connection: BaseDatabaseWrapper) -> None:
    """pg_restore in one transaction: either the whole backup is in, or nothing changed."""
    executable = _pg_program("pg_restore")
    # Our own session must not hold anything that pg_restore's DROP statements would wait for.
    connection.close()
    _run_pg(
        connection,
        executable,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        str(path),
    )


def check_editions(*, using: str = "default") -> list[EditionCheck]:
    """Recompute every edition's fingerprint, and every section's text hash, from the frozen
    text, and set them against the stored values."""
    checks = []
    for edition in Edition.objects.using(using).order_by("major", "minor"):
        modules = list(edition.modules.all())
        sections = list(edition.sections.all())
        altered = [
            section.key
            for section in sections
            if section.text_hash
            != EditionSection.compute_text_hash(
                title_en=section.title_en,
                title_ru=section.title_ru,
                body_en=section.body_en,
                body_ru=section.body_ru,
            )
        ]
        checks.append(
            EditionCheck(
                number=edition.number,
                stored=edition.text_fingerprint,
                recomputed=edition_fingerprint(modules, sections),
                altered_sections=altered,
            )
        )
    return checks


def pdfs_to_rebuild(*, using: str = "default") -> list[str]:
    """Editions with a PDF recorded as ready whose file is not in MEDIA_ROOT (PDFs are not in
    backups)."""
    ready = (
        EditionPDF.objects.using(using)
        .filter(status=PDFStatus.READY)
        .select_related("edition")
        .order_by("edition__major", "edition__minor")
    )
    numbers: list[str] = []
    for pdf in ready:
        missing = not pdf.file or not pdf.file.storage.exists(pdf.file.name)
        if missing and pdf.edition.number not in numbers:
            numbers.append(pdf.edition.number)
    return numbers


# --- Helpers ---------------------------------------------------------------------------


def _pg_program(name: str) -> str:
    executable = shutil.which(name)
    if executable is None:
        raise BackupError(
            f"{name} was not found on PATH: install the PostgreSQL client programs "
            "(Debian: postgresql-client) of the server's major version or newer."
        )
    return executable


def _run_pg(connection: BaseDatabaseWrapper, executable: str, *arguments: str) -> None:
    """Run a PostgreSQL client program against the database of ``connection``."""
    params = connection.settings_dict
    command = [executable, *arguments]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if params.get(key):
            command.append(f"{option}={params[key]}")
    command.append(f"--dbname={params['NAME']}")
    environment = dict(os.environ)
    if params.get("PASSWORD"):
        environment["PGPASSWORD"] = str(params["PASSWORD"])
    for option, variable in PG_ENVIRONMENT.items():
        if params.get("OPTIONS", {}).get(option):
            environment[variable] = str(params["OPTIONS"][option])
    result = subprocess.run(  # noqa: S603 - a PostgreSQL client program, fixed arguments
        command, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        name = Path(executable).name
        raise BackupError(
            f"{name} failed (exit status {result.returncode}): {result.stderr.strip()}"
        )


def _sqlite_problems(database: sqlite3.Connection) -> list[str]:
    rows = [row[0] for row in database.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else rows


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _sync_and_hash(path: Path) -> str:
    """Flush the file to disk (a backup lost in a crash just after is no backup) and hash it."""
    with path.open("rb+") as file:
        os.fsync(file.fileno())
    return _file_sha256(path)


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="ascii") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _sync_directory(directory: Path) -> None:
    """Make the renames durable: they are entries of the directory."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)
