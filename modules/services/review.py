"""Clearance of changes before they are published: a section's change is submitted for
review, and someone who did not make it approves it or sends it back with a comment.

An approval holds for the text that was submitted: when the section changes again, the
submission lapses (selectors.draft_overview reports it) and the change is submitted again.
Publishing lists what is not approved (edition_publish_check) and needs a recorded reason to
go ahead without.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from reversion.models import Version

from modules import snapshots
from modules.models import Edition, ReviewStatus, Section, SectionReview


def section_authors(section: Section) -> set[int]:
    """The people who changed ``section`` since the latest edition (its revisions)."""
    versions = Version.objects.get_for_object(section)
    latest = Edition.objects.current()
    if latest is not None:
        versions = versions.filter(revision__date_created__gt=latest.published_at)
    return {pk for pk in versions.values_list("revision__user_id", flat=True) if pk is not None}


@transaction.atomic
def section_submit(*, section: Section, user: User) -> SectionReview:
    """Submit the section's change, as its text stands now, for review (once: submitting the
    same text again returns the submission, or the approval, it already has)."""
    section = Section.objects.select_for_update().get(pk=section.pk)
    current = snapshots.text_hash(section)
    latest_edition = Edition.objects.current()
    published = (
        latest_edition.sections.filter(key=section.key).values_list("text_hash", flat=True).first()
        if latest_edition is not None
        else None
    )
    if published == current:
        raise ValidationError(
            _("This section has not changed since the latest edition: there is nothing to review."),
            code="unchanged",
        )
    previous = section.reviews.first()
    if (
        previous is not None
        and previous.text_hash == current
        and previous.status in (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)
    ):
        return previous
    return SectionReview.objects.create(section=section, text_hash=current, submitted_by=user)


@transaction.atomic
def section_review_decide(
    *, review: SectionReview, user: User, approve: bool, comment: str = ""
) -> SectionReview:
    """Approve a submitted change, or send it back with a comment. Refused to its author and
    to anyone who changed the section since the latest edition, for a submission already
    decided, and for a section that changed after it was submitted (the submission lapsed)."""
    review = SectionReview.objects.select_for_update().select_related("section").get(pk=review.pk)
    if review.status != ReviewStatus.SUBMITTED:
        raise ValidationError(_("This change has already been reviewed."), code="decided")
    if snapshots.text_hash(review.section) != review.text_hash:
        raise ValidationError(
            _(
                "The section changed after it was submitted: this submission has lapsed. "
                "Whoever changed it submits it again."
            ),
            code="lapsed",
        )
    if user.pk == review.submitted_by_id or user.pk in section_authors(review.section):
        raise ValidationError(
            _("You changed this section: someone else reviews it."), code="own_change"
        )
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError(
            {"comment": _("Say what should change before it is submitted again.")},
            code="comment",
        )
    review.status = ReviewStatus.APPROVED if approve else ReviewStatus.RETURNED
    review.decided_by, review.decided_at, review.comment = user, timezone.now(), comment
    review.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    return review
