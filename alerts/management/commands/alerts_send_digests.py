from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from alerts.tasks import send_digests


class Command(BaseCommand):
    help = (
        "Send this week's alert digests (run it daily or weekly from cron: each subscriber "
        "gets at most one a week), finish announcements an interrupted worker left, and erase "
        "addresses never confirmed."
    )

    def handle(self, *args, **options) -> None:
        report = send_digests()
        self.stdout.write(
            _("Digests sent: %(sent)s, failed: %(failed)s, waiting: %(left)s")
            % {"sent": report.sent, "failed": report.failed, "left": report.left}
        )
