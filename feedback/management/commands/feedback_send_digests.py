from django.core.management.base import BaseCommand

from feedback import alerts


class Command(BaseCommand):
    help = (
        "Send the daily digests of new comments to the people who chose them (back office › "
        "New-comment alerts). Run it from cron, hourly or daily: each person gets at most one "
        "digest in 20 hours, listing the comments recorded since their previous one."
    )

    def handle(self, *args, **options) -> None:
        sent = alerts.send_digests()
        self.stdout.write(f"Digests sent: {sent}.")
