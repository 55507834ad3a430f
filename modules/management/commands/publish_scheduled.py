from django.core.management.base import BaseCommand

from modules import services
from modules.labels import utc_moment
from modules.models import ScheduledPublication, ScheduleStatus


class Command(BaseCommand):
    help = (
        "Publish the scheduled edition if its moment has come. The background worker does this "
        "by itself at that moment; run this from cron (every few minutes) as a safeguard in "
        "case the worker's queue lost the task. Doing it twice publishes once."
    )

    def handle(self, *args, **options) -> None:
        waiting = ScheduledPublication.objects.waiting()
        published = services.editions_publish_due()
        if published:
            self.stdout.write(f"Edition {published[0].number} published.")
            return
        if waiting is None:
            self.stdout.write("No edition is scheduled.")
            return
        waiting.refresh_from_db()
        if waiting.status == ScheduleStatus.FAILED:
            self.stderr.write(f"Edition {waiting.number} was not published: {waiting.failure}")
        else:
            self.stdout.write(
                f"Edition {waiting.number} is scheduled for {utc_moment(waiting.publish_at)}."
            )
