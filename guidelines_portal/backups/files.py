"""Backup files that survive a crash and prove they are whole: written atomically, synced, and
checked against their `.sha256` beside them."""

import hashlib
import os
import re
import tempfile
from pathlib import Path

from django.core.management.base import CommandError


class BackupError(CommandError):
    """A backup or a restore that cannot go on; the message says why and what to do."""


# sha256sum's format: digest, two spaces (or space and *), the file name.
CHECKSUM_LINE = re.compile(r"(?P<digest>[0-9a-fA-F]{64}) [ *](?P<name>[^\n]+)\n?")


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


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


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def sync_and_hash(path: Path) -> str:
    """Flush the file to disk (a backup lost in a crash just after is no backup) and hash it."""
    with path.open("rb+") as file:
        os.fsync(file.fileno())
    return _file_sha256(path)


def sync_directory(directory: Path) -> None:
    """Make the renames durable: they are entries of the directory."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def write_atomically(path: Path, text: str) -> None:
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
