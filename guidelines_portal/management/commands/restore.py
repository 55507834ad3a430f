from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from guidelines_portal import backups


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database, then check "
        "every edition's text fingerprint. Refuses a database that already holds content "
        "unless --force, and a file that does not match its .sha256. Stop the site and the "
        "worker first. PDFs are not in backups: rebuild them afterwards with "
        "`manage.py build_edition_pdfs NUMBER --force`."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="The backup file.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the contents of a database that is not empty.",
        )
        parser.add_argument(
            "--no-checksum",
            action="store_true",
            help="Restore a backup that has no .sha256 file beside it, unverified.",
        )

    def handle(self, *args, path: Path, force: bool, no_checksum: bool, **options) -> None:
        target = backups.describe(connections["default"])
        result = backups.restore_database(path, force=force, unverified=no_checksum)
        if result.checksum_verified:
            self.stdout.write(f"Checksum verified: {backups.checksum_path(path).name}")
        else:
            self.stdout.write(
                f"No {backups.checksum_path(path).name} beside the backup: restored unverified."
            )
        self.stdout.write(f"Restored {path} into the {target}.")
        if result.migrations_applied:
            self.stdout.write(
                "Applied the migrations the backup predates: "
                f"{', '.join(result.migrations_applied)}"
            )
        self.stdout.write(
            f"Sign-in sessions that came back with the backup, ended: {result.sessions_ended}."
        )
        self.stdout.write("Integrity check (text fingerprints recomputed from the editions):")
        for check in result.editions:
            if check.ok:
                self.stdout.write(f"  {check.number:<8} {check.stored}  OK")
                continue
            problem = f"recomputed {check.recomputed}"
            if check.altered_sections:
                problem += f"; sections altered: {', '.join(check.altered_sections)}"
            self.stdout.write(f"  {check.number:<8} {check.stored}  MISMATCH ({problem})")
        contents = result.contents
        self.stdout.write(
            f"Feedback items: {contents.feedback} ({contents.feedback_events} history entries)"
        )
        self.stdout.write(f"Draft versions: {contents.versions}")
        if result.pdfs_to_rebuild:
            self.stdout.write(
                f"PDF files missing for editions {', '.join(result.pdfs_to_rebuild)}: rebuild "
                "each with `manage.py build_edition_pdfs NUMBER --force`."
            )
        if not result.ok:
            raise CommandError(
                "The restored editions do not match their fingerprints: do not put this "
                "database in service."
            )
