from django.core.management.base import BaseCommand

from feedback.models import Feedback, Source
from feedback.notifications import acknowledge


class Command(BaseCommand):
    help = (
        "Send the acknowledgements that could not be sent when the feedback arrived (the mail "
        "server was down). Safe to run from cron: each item is acknowledged once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Only list the items still unacknowledged."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        pending = Feedback.objects.filter(source=Source.WEB, acknowledged_at__isnull=True).exclude(
            email=""
        )
        sent = failed = 0
        for item in pending.order_by("pk").iterator():
            if dry_run:
                self.stdout.write(item.reference)
                continue
            if acknowledge(item):
                sent += 1
            else:
                failed += 1
        if not dry_run:
            self.stdout.write(f"Acknowledgements sent: {sent}; still failing: {failed}.")
