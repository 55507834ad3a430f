"""Scheduled publication: an edition confirmed now, published by the worker at its moment.

The draft is frozen when the editor confirms (the same check as publishing at once: the
fingerprint of what they reviewed); the worker publishes that frozen text, so later edits to
the draft wait for the next edition. One publication is scheduled at a time, nothing is
published by hand meanwhile, and it can be cancelled until it is done. Its PDFs are made
from the frozen text before its moment (tasks.build_scheduled_pdfs) and become the edition's
when it is published: they are ready the moment it is.
"""

import datetime
import logging

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from modules import pdf_services, snapshots, tasks
from modules.labels import utc_moment
from modules.models import SCHEDULE_MARGIN, Edition, ScheduledPublication, ScheduleStatus
from modules.publication_tasks import publish_when_due
from modules.services.editions import (
    draft_rows,
    edition_publish_check,
    lock_editions,
    publish_snapshot,
)

log = logging.getLogger(__name__)


def edition_schedule(
    *,
    number: str,
    publish_at: datetime.datetime,
    change_summary_en: str,
    change_summary_ru: str = "",
    user: User | None = None,
    expected_fingerprint: str,
    override_reason: str = "",
) -> ScheduledPublication:
    """Set the working draft, as the editor confirmed it (``expected_fingerprint``), to be
    published as ``number`` at ``publish_at``, dated that day. Refuses a moment in the past,
    what publishing would refuse, a second scheduled publication and a draft edited since it
    was reviewed (one ValidationError with every reason)."""
    errors: dict[str, list] = {}
    if publish_at < timezone.now() + SCHEDULE_MARGIN:
        errors["publish_at"] = [
            _("That moment has passed: choose a later time, or publish at once.")
        ]
    with transaction.atomic():
        lock_editions()
        try:
            edition_publish_check(
                number=number,
                published_on=None,
                change_summary_en=change_summary_en,
                clearance=True,
                override_reason=override_reason,
            )
        except ValidationError as error:
            errors.update(error.message_dict)
        modules, sections = snapshots.freeze_draft(*draft_rows())
        fingerprint = snapshots.edition_fingerprint(modules, sections)
        if fingerprint != expected_fingerprint and NON_FIELD_ERRORS not in errors:
            errors[NON_FIELD_ERRORS] = [
                _(
                    "The working draft changed after you reviewed it: someone edited it in "
                    "the meantime. Nothing was scheduled. Review what would be published now."
                )
            ]
        if errors:
            raise ValidationError(errors)
        try:
            with transaction.atomic():
                scheduled = ScheduledPublication.objects.create(
                    number=number,
                    publish_at=publish_at,
                    change_summary_en=change_summary_en,
                    change_summary_ru=change_summary_ru,
                    override_reason=override_reason.strip(),
                    snapshot=snapshots.snapshot_dump(modules, sections),
                    fingerprint=fingerprint,
                    scheduled_by=user if user is not None and user.is_authenticated else None,
                )
        except IntegrityError:  # another editor scheduled one a moment ago
            waiting = ScheduledPublication.objects.waiting()
            raise ValidationError(
                _("Edition %(number)s was scheduled a moment ago by someone else.")
                % {"number": waiting.number if waiting else "?"},
                code="scheduled",
            ) from None
        publish_when_due(scheduled)
        tasks.prepare_scheduled(scheduled.pk)  # its PDFs, made before its moment
    log.info("Edition %s scheduled for %s", number, utc_moment(publish_at))
    return scheduled


@transaction.atomic
def edition_schedule_cancel(*, scheduled: ScheduledPublication, user: User) -> bool:
    """Cancel a scheduled publication not yet done; False if it was done meanwhile."""
    cancelled = ScheduledPublication.objects.filter(
        pk=scheduled.pk, status=ScheduleStatus.SCHEDULED
    ).update(status=ScheduleStatus.CANCELLED, cancelled_by=user, closed_at=timezone.now())
    if cancelled:
        pdf_services.scheduled_pdfs_discard(scheduled=scheduled)
        log.info("Scheduled publication of edition %s cancelled", scheduled.number)
    return bool(cancelled)


def edition_publish_due(*, scheduled_id: int) -> ScheduledPublication | None:
    """Publish the scheduled publication ``scheduled_id`` if its moment has come (the
    worker's task; once however often it runs). A publication that cannot be done is marked
    failed with the reason, for the editors to see; the draft and editions are untouched."""
    now = timezone.now()
    try:
        with transaction.atomic():
            lock_editions()
            scheduled = (
                ScheduledPublication.objects.select_for_update().filter(pk=scheduled_id).first()
            )
            if scheduled is None or scheduled.status != ScheduleStatus.SCHEDULED:
                return scheduled
            if scheduled.publish_at > now:
                return scheduled  # too early (the worker runs it again at its moment)
            modules, sections = snapshots.snapshot_load(scheduled.snapshot)
            edition = publish_snapshot(
                modules,
                sections,
                number=scheduled.number,
                published_on=timezone.localdate(scheduled.publish_at),
                change_summary_en=scheduled.change_summary_en,
                change_summary_ru=scheduled.change_summary_ru,
                user=scheduled.scheduled_by,
                notify=True,
                scheduled=True,
                override_reason=scheduled.override_reason,
            )
            scheduled.status, scheduled.edition, scheduled.closed_at = (
                ScheduleStatus.PUBLISHED,
                edition,
                now,
            )
            scheduled.save(update_fields=["status", "edition", "closed_at"])
            pdf_services.pdfs_take_prebuilt(edition=edition, scheduled=scheduled)
    except ValidationError as error:
        reason = " ".join(error.messages)
        log.error("Scheduled edition %s not published: %s", scheduled_id, reason)
        with transaction.atomic():
            ScheduledPublication.objects.filter(
                pk=scheduled_id, status=ScheduleStatus.SCHEDULED
            ).update(status=ScheduleStatus.FAILED, failure=reason[:2000], closed_at=now)
            failed = ScheduledPublication.objects.get(pk=scheduled_id)
            pdf_services.scheduled_pdfs_discard(scheduled=failed)
        return failed
    log.info("Scheduled edition %s published", scheduled.number)
    return scheduled


def editions_publish_due() -> list[Edition]:
    """Publish whatever scheduled publication is due (``manage.py publish_scheduled``, from
    cron, in case the worker's queue lost its task)."""
    waiting = ScheduledPublication.objects.waiting()
    if waiting is None or waiting.publish_at > timezone.now():
        return []
    done = edition_publish_due(scheduled_id=waiting.pk)
    return [done.edition] if done is not None and done.edition is not None else []
