"""What differs between the database kinds: SQLite's online backup API and file checks,
PostgreSQL's pg_dump and pg_restore (connection options in the environment, never on a
command line)."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from guidelines_portal.backups.files import BackupError
from guidelines_portal.backups.integrity import Contents, read_contents

SQLITE_HEADER = b"SQLite format 3\x00"


PG_DUMP_HEADER = b"PGDMP"


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


def describe(connection: BaseDatabaseWrapper) -> str:
    """The database as an operator would name it (never with its password)."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite database {params['NAME']}"
    where = params.get("HOST") or "local socket"
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"PostgreSQL database {params['NAME']} on {where}{port}"


def backup_kind(path: Path) -> str | None:
    """'sqlite' or 'postgresql' from the file's first bytes, or None for anything else."""
    with path.open("rb") as file:
        head = file.read(len(SQLITE_HEADER))
    if head == SQLITE_HEADER:
        return "sqlite"
    if head.startswith(PG_DUMP_HEADER):
        return "postgresql"
    return None


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


def sqlite_contents(path: Path) -> Contents:
    """What the copy itself holds (the live database may have changed since)."""
    database = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return read_contents(database.cursor())
    finally:
        database.close()


def pg_dump(connection: BaseDatabaseWrapper, target: Path) -> Contents:
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
        return read_contents(cursor)


def sqlite_restore(path: Path, connection: BaseDatabaseWrapper) -> None:
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


def pg_restore(path: Path, connection: BaseDatabaseWrapper) -> None:
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
