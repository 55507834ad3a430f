"""Backing up the portal's database, and restoring a backup (manage.py backup / restore).

operations.py does both, with what differs between SQLite and PostgreSQL in drivers.py, the
files' durability and checksums in files.py, and the checks of a restored database against
the apps' data (editions' fingerprints, PDFs) in integrity.py. Callers use the names below.
"""

from guidelines_portal.backups.drivers import describe, sqlite_copy
from guidelines_portal.backups.files import BackupError, checksum_path, verify_checksum
from guidelines_portal.backups.integrity import EditionCheck, check_editions, pdfs_to_rebuild
from guidelines_portal.backups.operations import (
    BackupResult,
    RestoreResult,
    backup_database,
    default_backup_path,
    restore_database,
)

__all__ = [
    "BackupError",
    "BackupResult",
    "EditionCheck",
    "RestoreResult",
    "backup_database",
    "check_editions",
    "checksum_path",
    "default_backup_path",
    "describe",
    "pdfs_to_rebuild",
    "restore_database",
    "sqlite_copy",
    "verify_checksum",
]
