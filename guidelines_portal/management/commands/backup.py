from pathlib import Path

from django.core.management.base import BaseCommand

from guidelines_portal import backups


class Command(BaseCommand):
    help = (
        "Back up the database into one file, safely while the site runs: SQLite through its "
        "online backup API, PostgreSQL with pg_dump (custom format). Writes <file>.sha256 "
        "beside it and prints what the backup holds. Generated PDFs (MEDIA_ROOT) are not in "
        "the database: after a restore, rebuild them with `manage.py build_edition_pdfs "
        "NUMBER --force` (or copy MEDIA_ROOT as well)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="The backup file to write (default: a timestamped file in BACKUP_DIR).",
        )

    def handle(self, *args, output: Path | None, **options) -> None:
        result = backups.backup_database(output)
        contents = result.contents
        self.stdout.write(f"Backup written: {result.path} ({result.size:,} bytes)")
        self.stdout.write(f"SHA-256: {result.sha256} (in {backups.checksum_path(result.path)})")
        self.stdout.write(f"Editions: {len(contents.editions)}")
        for number, fingerprint in contents.editions:
            self.stdout.write(f"  {number:<8} {fingerprint}")
        self.stdout.write(
            f"Feedback items: {contents.feedback} ({contents.feedback_events} history entries)"
        )
        self.stdout.write(f"Draft versions: {contents.versions}")
        self.stdout.write(
            "Not included: generated PDFs in MEDIA_ROOT "
            "(rebuild with `manage.py build_edition_pdfs NUMBER --force`)."
        )
