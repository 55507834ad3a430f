from django.core.management.base import BaseCommand

from feedback import notifications
from feedback.models import Feedback, Source

SENDERS = {
    "acknowledgement": notifications.acknowledge,
    "decision": notifications.decision_made,
    "incorporated": notifications.incorporated,
}


class Command(BaseCommand):
    help = (
        "Send again the feedback e-mail that could not be sent (the mail server was down): "
        "acknowledgements never sent, and decisions and incorporation notices whose last "
        "attempt failed. Safe to run from cron: what has been sent is not sent again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only list what would be sent: reference and kind.",
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        unacknowledged = Feedback.objects.filter(
            source=Source.WEB, acknowledged_at__isnull=True
        ).exclude(email="")
        pending = [(item, "acknowledgement") for item in unacknowledged.order_by("pk")]
        pending += notifications.failed_contributor_notices()
        sent = failed = 0
        for item, message in pending:
            if dry_run:
                self.stdout.write(f"{item.reference} {message}")
                continue
            if SENDERS[message](item):
                sent += 1
            else:
                failed += 1
        if not dry_run:
            self.stdout.write(f"E-mails sent: {sent}; still failing: {failed}.")
