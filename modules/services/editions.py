"""Publishing an edition of the working draft, and correcting an edition's date."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from modules import pdf_services, search, selectors, signals, snapshots, versioning
from modules.labels import utc_moment
from modules.models import (
    LANGS,
    Edition,
    EditionCorrection,
    EditionModule,
    EditionSection,
    Module,
    ScheduledPublication,
    Section,
    parse_edition_number,
)

# Security Council resolution 2370 was adopted on 2 August 2017: no edition is older.
EARLIEST_PUBLICATION_DATE = datetime.date(2017, 8, 2)
# A date a day ahead is allowed: publishing late in the evening for the next morning, or
# from a time zone ahead of the server's.
PUBLICATION_DATE_ALLOWANCE = datetime.timedelta(days=1)


def _validate_new_edition_number(number: str) -> tuple[int, int]:
    major, minor = parse_edition_number(number)
    latest = Edition.objects.current()
    if latest is not None and (major, minor) <= (latest.major, latest.minor):
        raise ValidationError(
            _("The edition number must be greater than the latest edition, %(latest)s.")
            % {"latest": latest.number},
            code="not_greater",
        )
    return major, minor


def _validate_publication_date(
    published_on: datetime.date, *, previous: Edition | None, following: Edition | None = None
) -> None:
    """Refuse a date before the previous edition's (or before resolution 2370), after the
    following edition's, or in the future beyond a day."""
    date = formats.date_format
    error = None
    latest_allowed = timezone.localdate() + PUBLICATION_DATE_ALLOWANCE
    if previous is not None and published_on < previous.published_on:
        error = _("The publication date cannot be before that of edition %(number)s (%(date)s).")
        error %= {"number": previous.number, "date": date(previous.published_on)}
    elif published_on < EARLIEST_PUBLICATION_DATE:
        error = _(
            "The publication date cannot be before the adoption of resolution 2370 (%(date)s)."
        ) % {"date": date(EARLIEST_PUBLICATION_DATE)}
    elif following is not None and published_on > following.published_on:
        error = _("The publication date cannot be after that of edition %(number)s (%(date)s).")
        error %= {"number": following.number, "date": date(following.published_on)}
    elif published_on > latest_allowed:
        error = _("The publication date cannot be later than %(date)s.") % {
            "date": date(latest_allowed)
        }
    if error:
        raise ValidationError({"published_on": error}, code="date")


def edition_publish_check(
    *,
    number: str,
    published_on: datetime.date | None,
    change_summary_en: str,
    draft_empty: bool | None = None,
    scheduled: bool = False,
    clearance: bool = False,
    override_reason: str = "",
) -> tuple[int, int]:
    """Raise one ValidationError naming everything that stops the draft being published as
    ``number`` (by field: number, published_on, change_summary_en; the draft itself under
    NON_FIELD_ERRORS), so the editor fixes them all at once. Returns (major, minor). A form
    checks what it could read (``published_on`` None: not given or malformed). While an
    edition is scheduled, nothing else is published (``scheduled``: this is that edition).
    With ``clearance``, changes not approved and sections without an up-to-date Russian text
    stop it too, unless an ``override_reason`` is given (under "override_reason")."""
    errors: dict[str, list] = {}
    parsed = (0, 0)
    try:
        parsed = _validate_new_edition_number(number)
    except ValidationError as error:
        errors["number"] = error.messages
    try:
        if published_on is not None:
            _validate_publication_date(published_on, previous=Edition.objects.current())
    except ValidationError as error:
        errors.update(error.message_dict)
    if not change_summary_en.strip():
        errors["change_summary_en"] = [_("Write a change summary in English.")]
    if draft_empty if draft_empty is not None else not Section.objects.exists():
        errors[NON_FIELD_ERRORS] = [
            _("The working draft has no sections: there is nothing to publish.")
        ]
    waiting = None if scheduled else ScheduledPublication.objects.waiting()
    if waiting is not None:
        errors.setdefault(NON_FIELD_ERRORS, []).append(
            _(
                "Edition %(number)s is scheduled to be published at %(moment)s: cancel that "
                "publication first."
            )
            % {"number": waiting.number, "moment": utc_moment(waiting.publish_at)}
        )
    if clearance and not override_reason.strip() and (gaps := _clearance_gaps()):
        errors["override_reason"] = gaps
    if errors:
        raise ValidationError(errors)
    return parsed


def _clearance_gaps() -> list[str]:
    """What is not ready to publish: changes not approved, Russian texts missing or older than
    the English (selectors.draft_overview), each named, then how to go ahead anyway."""
    overview = selectors.draft_overview()
    gaps = []
    if sections := overview.not_approved:
        gaps.append(
            ngettext(
                "%(count)s change is not approved: %(sections)s.",
                "%(count)s changes are not approved: %(sections)s.",
                len(sections),
            )
            % {"count": len(sections), "sections": ", ".join(str(s) for s in sections)}
        )
    if sections := overview.russian_gaps:
        gaps.append(
            ngettext(
                "%(count)s section has no up-to-date Russian text: %(sections)s.",
                "%(count)s sections have no up-to-date Russian text: %(sections)s.",
                len(sections),
            )
            % {"count": len(sections), "sections": ", ".join(str(s) for s in sections)}
        )
    if gaps:
        gaps.append(_("To publish anyway, say why here: the reason is recorded with the edition."))
    return gaps


def edition_number_suggestion() -> str:
    """The next minor number after the latest edition (1.0 when there is none)."""
    latest = Edition.objects.current()
    return f"{latest.major}.{latest.minor + 1}" if latest else "1.0"


def draft_rows() -> tuple[list[Module], list[Section]]:
    modules = list(Module.objects.in_order())
    sections = list(Section.objects.select_related("parent").order_by("module_id", "sort_key"))
    return modules, sections


def draft_fingerprint() -> str:
    """The fingerprint the working draft would have as an edition, now: what an editor
    confirms to publish (edition_publish's ``expected_fingerprint``)."""
    return snapshots.edition_fingerprint(*snapshots.freeze_draft(*draft_rows()))


@transaction.atomic
def edition_publish(
    *,
    number: str,
    published_on: datetime.date,
    change_summary_en: str,
    change_summary_ru: str = "",
    user: User | None = None,
    notify: bool = True,
    expected_fingerprint: str = "",
    clearance: bool = True,
    override_reason: str = "",
) -> Edition:
    """Publish the working draft as edition ``number``: freeze every module and section.

    Accepted feedback that the edition's changes address becomes "incorporated" in it, and
    its contributors are told (unless ``notify`` is False, as for demonstration data).

    Refuses a number that is malformed or not greater than the latest edition, an empty
    change summary, an empty draft, a publication while another is scheduled, changes not
    approved or without an up-to-date Russian text unless ``override_reason`` says why
    (``clearance`` False: content loaded by a script, as the demonstration), and, given
    ``expected_fingerprint`` (draft_fingerprint when the editor reviewed it), a draft that
    changed since: what is published is exactly what was confirmed.
    """
    lock_editions()
    modules, sections = snapshots.freeze_draft(*draft_rows())
    if expected_fingerprint and snapshots.edition_fingerprint(modules, sections) != (
        expected_fingerprint
    ):
        raise ValidationError(
            _(
                "The working draft changed after you reviewed it: someone edited it in the "
                "meantime. Nothing was published. Review what would be published now."
            ),
            code="draft_changed",
        )
    return publish_snapshot(
        modules,
        sections,
        number=number,
        published_on=published_on,
        change_summary_en=change_summary_en,
        change_summary_ru=change_summary_ru,
        user=user,
        notify=notify,
        clearance=clearance,
        override_reason=override_reason,
    )


def lock_editions() -> None:
    """Serialise publications: lock the latest edition row, if any."""
    list(Edition.objects.select_for_update().order_by("-major", "-minor")[:1])


def publish_snapshot(
    modules: list[EditionModule],
    sections: list[EditionSection],
    *,
    number: str,
    published_on: datetime.date,
    change_summary_en: str,
    change_summary_ru: str,
    user: User | None,
    notify: bool,
    scheduled: bool = False,
    clearance: bool = False,
    override_reason: str = "",
) -> Edition:
    """Write a frozen draft (snapshots.freeze_draft: unsaved, with the draft's module ids) as
    edition ``number``, in the caller's transaction, with the editions locked. ``scheduled``:
    this is the scheduled publication itself, which another scheduled one does not stop.

    Sections are written with bulk inserts: the number of queries grows with insert batches
    (SQLite allows about 60 rows a batch), never per section.
    """
    major, minor = edition_publish_check(
        number=number,
        published_on=published_on,
        change_summary_en=change_summary_en,
        draft_empty=not sections,
        scheduled=scheduled,
        clearance=clearance,
        override_reason=override_reason,
    )
    previous = Edition.objects.current()
    before = dict(previous.sections.values_list("key", "text_hash")) if previous else {}
    after = {s.key: s.text_hash for s in sections}
    edition = snapshots.edition_row(
        modules, sections, number=number, published_on=published_on,
        change_summary_en=change_summary_en, change_summary_ru=change_summary_ru,
        before=before,
    )  # fmt: skip
    edition.major, edition.minor = major, minor
    edition.published_by = user if user is not None and user.is_authenticated else None
    edition.override_reason = override_reason.strip()
    edition.save()

    # A reason goes with a change: a section whose text did not change keeps none.
    reasons = [f"change_reason_{lang}" for lang in LANGS]
    for section in sections:
        if before.get(section.key) == section.text_hash:
            for field in reasons:
                setattr(section, field, "")
    draft_ids = [m.pk for m in modules]
    for module in modules:
        module.pk, module.edition = None, edition
    saved = EditionModule.objects.bulk_create(modules)
    by_draft_id = dict(zip(draft_ids, saved, strict=True))
    for section in sections:
        section.module, section.edition = by_draft_id[section.module_id], edition
    EditionSection.objects.bulk_create(sections, batch_size=500)
    search.index_sections(EditionSection.objects.filter(edition=edition))
    _reasons_published(sections, number)
    # The apps above content follow (feedback: items this edition answers are incorporated).
    changed = {k for k in after if before.get(k) != after[k]}
    signals.edition_published.send(
        sender=Edition, edition=edition, changed_keys=changed, notify=notify
    )
    # Its PDFs are built in the background, once the edition is committed.
    pdf_services.pdfs_queue_edition(edition=edition)
    return edition


def _reasons_published(sections: list[EditionSection], number: str) -> None:
    """Clear the draft's reasons that this edition published, in the sections' history (a
    reason written after a scheduled publication was confirmed stays, for the next one)."""
    fields = [f"change_reason_{lang}" for lang in LANGS]
    published = {
        s.key: reasons
        for s in sections
        if any(reasons := tuple(getattr(s, field) or "" for field in fields))
    }
    if not published:
        return
    draft = Section.objects.filter(key__in=list(published)).values_list("pk", "key", *fields)
    cleared = [
        pk
        for pk, key, *reasons in draft
        if tuple(text or "" for text in reasons) == published[key]  # NULL is no reason
    ]
    Section.objects.filter(pk__in=cleared).update(**dict.fromkeys(fields, ""))
    versioning.record(
        Section.objects.filter(pk__in=cleared),
        comment=_("Reasons for the changes published in edition %(number)s") % {"number": number},
    )


@transaction.atomic
def edition_correct_date(
    *,
    edition: Edition,
    published_on: datetime.date,
    reason_en: str,
    reason_ru: str = "",
    user: User | None = None,
) -> EditionCorrection:
    """Correct the publication date of a published edition; its text stays as it is.

    The date must fit between the neighbouring editions' dates and a reason is required;
    the correction (date before and after, reason, who, when) is kept beside the edition and
    shown to readers. The edition's PDFs, which print the date, are built again (all but one
    being built at this moment, which keeps the date it started with: build it again).
    """
    # Every edition is locked: two corrections of neighbours at once cannot each pass against
    # the other's old date.
    ordered = list(Edition.objects.select_for_update().order_by("-major", "-minor"))
    index = next(i for i, e in enumerate(ordered) if e.pk == edition.pk)
    locked = ordered[index]
    if not reason_en.strip():
        raise ValidationError({"reason_en": _("Say in English why the date is corrected.")})
    if published_on == locked.published_on:
        raise ValidationError({"published_on": _("That is already the edition's date.")})
    _validate_publication_date(
        published_on,
        previous=ordered[index + 1] if index + 1 < len(ordered) else None,
        following=ordered[index - 1] if index > 0 else None,
    )
    correction = EditionCorrection.objects.create(
        edition=locked,
        published_on_before=locked.published_on,
        published_on=published_on,
        reason_en=reason_en.strip(),
        reason_ru=reason_ru.strip(),
        corrected_by=user if user is not None and user.is_authenticated else None,
    )
    Edition.objects.set_publication_date(locked, published_on)
    edition.published_on = published_on
    pdf_services.pdfs_rebuild(pdfs=locked.pdfs.all())
    return correction
