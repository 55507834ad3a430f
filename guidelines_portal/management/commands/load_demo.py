from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from guidelines_portal.demo import demo_load
from modules.models import Edition, Module


class Command(BaseCommand):
    help = (
        "Load the demonstration guidelines (fixtures/demo/) into the working draft and "
        "publish their editions."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any module or edition already exists (used by `make run`).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Load, report, then roll everything back."
        )

    def handle(self, *args, if_empty: bool, dry_run: bool, **options) -> None:
        if Module.objects.exists() or Edition.objects.exists():
            if if_empty:
                self.stdout.write("Content already present: demonstration data not loaded.")
                return
            raise CommandError("The database already holds content; load_demo needs an empty one.")
        with transaction.atomic():
            numbers = demo_load()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {Module.objects.count()} modules and published editions "
                    f"{', '.join(numbers)}."
                )
            )
            if dry_run:
                transaction.set_rollback(True)
                self.stdout.write("Dry run: rolled back.")
