"""Feedback on the guidelines and its disposition.

A Feedback item is a comment on the guidelines as a whole, a module, a section or a paragraph,
as read in an edition and a language. Editors triage it (status, assignment, internal notes),
decide on it and respond; an accepted item is incorporated into the edition that carries the
change. Every status change, assignment and note is a FeedbackEvent. Nothing is ever deleted:
spam is a status.

Items point at the working draft's Module and Section (keys never change), so an item that
is still open follows its section into the next edition; ``section_key`` and
``section_number`` keep what the contributor was reading even if the section is removed.
"""

import datetime
import hashlib
import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from guidelines_portal.text import TypedTextField
from guidelines_portal.tokens import new_token, token_digest
from modules.models import Edition, Localized, Module, Section

COMMENT_MAX_LENGTH = 5000
# An item's reference (FB-2026-0001), and the permission to read restricted originals.
REFERENCE_PATTERN = re.compile(r"FB-\d{4}-\d{4,}")
RESTRICTED_TEXT_PERMISSION = "feedback.view_restricted_text"
NAME_MAX_LENGTH = 200
ANSWER_MAX_LENGTH = 1000


class Kind(models.TextChoices):
    GENERAL = "general", _("General")
    TECHNICAL = "technical", _("Technical")
    EDITORIAL = "editorial", _("Editorial")


class Category(models.TextChoices):
    STATE = "state", _("Member State official")
    ORGANISATION = "organisation", _("International or regional organisation")
    PRACTITIONER = "practitioner", _("Practitioner")
    CIVIL_SOCIETY = "civil_society", _("Civil society or academia")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    OTHER = "other", _("Other")


class Source(models.TextChoices):
    WEB = "web", _("Web form")
    WORKSHOP = "workshop", _("Workshop or meeting")
    LETTER = "letter", _("Letter or note verbale")
    EMAIL = "email", _("E-mail")
    OTHER = "other", _("Other")


class Answer(models.TextChoices):
    """The contributor's answer to the editors' decision and response."""

    SATISFIED = "satisfied", _("Satisfied with the response")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied with the response")


class Confidentiality(models.TextChoices):
    """How an item may be published (decided by the editors, never more public than its
    contributor allowed). The original text of a redacted or secretariat-only item is
    restricted: in the back office only staff with ``view_restricted_text`` read it."""

    PUBLIC = "public", _("Public, with the contributor's name")
    ANONYMOUS = "anonymous", _("Public without the name")
    REDACTED = "redacted", _("Published in a redacted form")
    SECRETARIAT = "secretariat", _("Secretariat only (never published)")


PUBLISHED_LEVELS = (Confidentiality.PUBLIC, Confidentiality.ANONYMOUS, Confidentiality.REDACTED)
RESTRICTED_LEVELS = (Confidentiality.REDACTED, Confidentiality.SECRETARIAT)


def consented_level(*, publishable: bool, may_name: bool) -> str:
    """The level a contributor's own choices give an item when it arrives."""
    if not publishable:
        return Confidentiality.SECRETARIAT
    return Confidentiality.PUBLIC if may_name else Confidentiality.ANONYMOUS


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted")
    ACCEPTED_MODIFIED = "accepted_modified", _("Accepted with modification")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    DUPLICATE = "duplicate", _("Duplicate")
    SPAM = "spam", _("Spam")


PENDING_STATUSES = (Status.RECEIVED, Status.UNDER_REVIEW)
ACCEPTED_STATUSES = (Status.ACCEPTED, Status.ACCEPTED_MODIFIED)
# A decision is shared with the contributor and, when they allow it, published.
DECISION_STATUSES = (*ACCEPTED_STATUSES, Status.NOT_ACCEPTED, Status.OUT_OF_SCOPE, Status.DUPLICATE)


def tracking_expiry() -> datetime.datetime:
    """When a tracking link stops working, counted from its last use in an e-mail."""
    return timezone.now() + datetime.timedelta(days=settings.FEEDBACK_TRACKING_DAYS)


def new_tracking_token() -> str:
    """A token for a tracking link (kept by name: migration 0001 refers to it)."""
    return new_token()


def submission_fingerprint(
    *, section_key: str, paragraph: int | None, data: dict, who: str | None = None
) -> str:
    """Equal for the same comment sent twice by the same address about the same place
    (``who``: the sender when there is no address, as a comment table's row names them)."""
    parts = [
        ((data.get("email") or "") if who is None else who).strip().lower(),
        section_key,
        str(paragraph or ""),
        data.get("kind", ""),
        " ".join((data.get("comment") or "").split()),
        " ".join((data.get("proposed_wording") or "").split()),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class FeedbackQuerySet(models.QuerySet):
    def open(self) -> "FeedbackQuerySet":
        """Items still needing work: undecided, or accepted and not yet in an edition."""
        return self.filter(
            Q(status__in=PENDING_STATUSES)
            | Q(status__in=ACCEPTED_STATUSES, incorporated_in__isnull=True)
        )

    def awaiting_change(self) -> "FeedbackQuerySet":
        """Accepted items whose change has not been published yet."""
        return self.filter(status__in=ACCEPTED_STATUSES, incorporated_in__isnull=True)

    def publishable(self) -> "FeedbackQuerySet":
        """Items that may be published (in full, without the name or redacted), spam
        excluded."""
        return self.filter(confidentiality__in=PUBLISHED_LEVELS).exclude(status=Status.SPAM)

    def tracked_by(self, token: str) -> "Feedback | None":
        """The item behind a tracking link, unless the link is unknown or expired."""
        if not token or len(token) > 100:
            return None
        return self.filter(
            tracking_links__digest=token_digest(token),
            tracking_links__expires_at__gt=timezone.now(),
        ).first()


def restricted_notice() -> str:
    """What staff who may not read a restricted original see instead of it."""
    return str(_("Restricted: only staff allowed to read restricted text see it."))


class Workshop(models.Model):
    """A regional workshop or meeting where the guidelines were presented and discussed, with
    the comments received there (Feedback.workshop). Its public page lists those comments and
    what became of each, as a consultation round's disposition does."""

    slug = models.SlugField(
        _("address name"),
        max_length=60,
        unique=True,
        help_text=_("Used in the page's address, for example europe-2022. Never changes."),
    )
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True)
    region_en = models.CharField(_("region (English)"), max_length=120)
    region_ru = models.CharField(_("region (Russian)"), max_length=120, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    virtual = models.BooleanField(_("held online"), default=False)
    place_en = models.CharField(_("place (English)"), max_length=120, blank=True)
    place_ru = models.CharField(_("place (Russian)"), max_length=120, blank=True)
    organisers_en = models.CharField(_("organisers (English)"), max_length=500)
    organisers_ru = models.CharField(_("organisers (Russian)"), max_length=500, blank=True)
    states = CountryField(_("participating States"), multiple=True, blank=True)
    edition = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        related_name="workshops",
        verbose_name=_("edition discussed"),
    )

    title = Localized("title")
    region = Localized("region")
    place = Localized("place")
    organisers = Localized("organisers")

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="workshop_ends_after_it_starts",
                violation_error_message=_("The last day cannot be before the first."),
            ),
            models.CheckConstraint(
                condition=Q(virtual=True) | ~Q(place_en=""),
                name="workshop_has_a_place",
                violation_error_message=_("Give the place, or say it was held online."),
            ),
        ]

    def __str__(self) -> str:
        return self.title_en

    def get_absolute_url(self) -> str:
        return reverse("feedback:workshop", kwargs={"slug": self.slug})


class CommentTable(models.Model):
    """A filled comment table (the review kit's workbook, or a CSV in its columns) uploaded by
    an editor with the workshop or letter it came with.

    Uploading reads and keeps the rows (``rows``: each row's cells as found, never yet
    checked), and the preview checks them against the edition; nothing becomes feedback until
    the editor confirms, and then every row is written at once (``confirmed_at``). The file's
    checksum makes a second upload of the same file create nothing. Tables never confirmed
    are forgotten after a week.
    """

    checksum = models.CharField(_("checksum (SHA-256)"), max_length=64, db_index=True)
    file_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    edition = models.ForeignKey(
        Edition, on_delete=models.PROTECT, related_name="+", verbose_name=_("edition")
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    module_slug = models.SlugField(_("module"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    source_detail = models.CharField(_("source details"), max_length=255, blank=True)
    workshop = models.ForeignKey(
        Workshop,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("workshop"),
    )
    received_on = models.DateField(_("received on"))
    may_name = models.BooleanField(_("contributors may be named"), default=False)
    publishable = models.BooleanField(_("comments may be published"), default=True)
    rows = models.JSONField(default=list, editable=False)
    headers = models.JSONField(default=dict, editable=False)  # field: its header in the file
    confirmed_at = models.DateTimeField(_("recorded at"), null=True, editable=False)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("comment table")
        verbose_name_plural = _("comment tables")
        constraints = [
            models.UniqueConstraint(
                fields=["checksum"],
                condition=Q(confirmed_at__isnull=False),
                name="comment_table_recorded_once",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name


class Feedback(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    # What the contributor was reading.
    edition = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("edition read"),
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    # PROTECT: a module that feedback is about cannot be deleted (the item would silently
    # become a comment on the guidelines as a whole; feedback is never lost).
    module = models.ForeignKey(
        Module,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("module"),
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback",
        verbose_name=_("section"),
    )
    section_key = models.SlugField(_("section key"), max_length=80, blank=True, db_index=True)
    section_number = models.CharField(_("section number as read"), max_length=40, blank=True)
    paragraph = models.PositiveSmallIntegerField(_("paragraph"), null=True, blank=True)
    # The comment, in the contributor's words (never edited by the back office).
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, db_index=True)
    comment = TypedTextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    proposed_wording = TypedTextField(
        _("proposed wording"), max_length=COMMENT_MAX_LENGTH, blank=True
    )
    # Who sent it.
    category = models.CharField(
        _("submitter category"), max_length=16, choices=Category.choices, db_index=True
    )
    country = CountryField(_("country"), blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH, blank=True)
    organisation = models.CharField(_("organisation"), max_length=NAME_MAX_LENGTH, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    may_name = models.BooleanField(
        _("may be named in the public response"),
        default=False,
        help_text=_("Otherwise the response shows only the category and country."),
    )
    publishable = models.BooleanField(
        _("may be published"),
        default=True,
        help_text=_("Otherwise the comment is not listed in the public response."),
    )
    # How the editors publish it (within what the contributor allowed), and the redacted
    # text published instead of the original when they chose a redacted form.
    confidentiality = models.CharField(
        _("publication"),
        max_length=12,
        choices=Confidentiality.choices,
        default=Confidentiality.ANONYMOUS,
        db_index=True,
        help_text=_(
            "Never more public than its contributor allowed. The original of a redacted or "
            "secretariat-only comment is read only by staff allowed to read restricted text."
        ),
    )
    redacted_comment = TypedTextField(
        _("comment as published (redacted)"),
        max_length=COMMENT_MAX_LENGTH,
        blank=True,
        help_text=_("Published instead of the comment in a redacted form; the original is kept."),
    )
    redacted_proposed_wording = TypedTextField(
        _("proposed wording as published (redacted)"), max_length=COMMENT_MAX_LENGTH, blank=True
    )
    # How it arrived.
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.WEB, db_index=True
    )
    source_detail = models.CharField(
        _("source details"),
        max_length=255,
        blank=True,
        help_text=_("For example: Regional workshop, Almaty; letter of 3 May."),
    )
    workshop = models.ForeignKey(
        Workshop,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("workshop"),
        help_text=_("For a comment made at a recorded workshop (source: workshop or meeting)."),
    )
    received_on = models.DateField(_("received on"), db_index=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True, db_index=True)
    comment_table = models.ForeignKey(
        CommentTable,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        editable=False,
        verbose_name=_("comment table"),
    )
    # A web submission's fingerprint: the same form sent twice is stored once.
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    form_nonce = models.CharField(max_length=64, blank=True, editable=False)
    acknowledged_at = models.DateTimeField(_("acknowledgement sent"), null=True, editable=False)
    # Triage and disposition.
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.RECEIVED,
        db_index=True,
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_feedback",
        verbose_name=_("assigned to"),
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    summary_en = TypedTextField(
        _("public summary (English)"),
        max_length=1000,
        blank=True,
        help_text=_("Shown in the public response instead of the full comment."),
    )
    summary_ru = TypedTextField(_("public summary (Russian)"), max_length=1000, blank=True)
    response_en = TypedTextField(_("response (English)"), max_length=COMMENT_MAX_LENGTH, blank=True)
    response_ru = TypedTextField(_("response (Russian)"), max_length=COMMENT_MAX_LENGTH, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    # The editor's record that the current draft change of the section addresses this item.
    addressed_at = models.DateTimeField(_("change recorded at"), null=True, editable=False)
    addressed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    incorporated_in = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incorporated_feedback",
        editable=False,
        verbose_name=_("incorporated in"),
    )
    # The edition whose "response to comments" lists this item's decision.
    responded_in = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        editable=False,
        verbose_name=_("response published with"),
    )

    # Sent within a consultation round on the edition and part it is about (or, if the round
    # accepts late comments, after its deadline: ``late``).
    round = models.ForeignKey(
        "ConsultationRound",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        editable=False,
        verbose_name=_("consultation round"),
    )
    late = models.BooleanField(_("sent after the deadline"), default=False, editable=False)
    # After a decision, the contributor's answer to it, through their tracking link.
    answer = models.CharField(
        _("contributor's answer"), max_length=16, choices=Answer.choices, blank=True,
        editable=False,
    )  # fmt: skip
    answer_text = TypedTextField(
        _("contributor's reply"), max_length=ANSWER_MAX_LENGTH, blank=True, editable=False
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, editable=False)

    summary = Localized("summary")
    response = Localized("response")

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("feedback item")
        verbose_name_plural = _("feedback")
        permissions = [("view_restricted_text", _("Can read restricted comment text"))]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=~Q(fingerprint=""),
                name="feedback_unique_fingerprint",
            ),
            # Never more public than the contributor allowed; a redacted form has its text.
            models.CheckConstraint(
                condition=Q(publishable=True) | Q(confidentiality=Confidentiality.SECRETARIAT),
                name="feedback_published_only_with_consent",
            ),
            models.CheckConstraint(
                condition=Q(may_name=True) | ~Q(confidentiality=Confidentiality.PUBLIC),
                name="feedback_named_only_with_consent",
            ),
            models.CheckConstraint(
                condition=~Q(confidentiality=Confidentiality.REDACTED) | ~Q(redacted_comment=""),
                name="feedback_redacted_has_text",
            ),
            models.CheckConstraint(
                condition=Q(workshop__isnull=True) | Q(source=Source.WORKSHOP),
                name="feedback_workshop_comments_come_from_it",
                violation_error_message=_(
                    "A comment made at a workshop has “Workshop or meeting” as its source."
                ),
            ),
        ]
        indexes = [
            # The triage list: newest first (with the primary key as the admin's tiebreak),
            # whole or by status.
            models.Index(fields=["-created_at", "-id"], name="feedback_recent"),
            models.Index(fields=["status", "-created_at", "-id"], name="feedback_status_recent"),
            models.Index(fields=["section_key", "incorporated_in"], name="feedback_section_change"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_incorporated(self) -> bool:
        return self.incorporated_in_id is not None

    @property
    def is_decided(self) -> bool:
        return self.status in DECISION_STATUSES

    @property
    def is_restricted(self) -> bool:
        """Whether its original text is for staff with ``view_restricted_text`` only."""
        return self.confidentiality in RESTRICTED_LEVELS

    @property
    def is_published(self) -> bool:
        return self.confidentiality in PUBLISHED_LEVELS

    @property
    def is_named(self) -> bool:
        """Whether the public response names the contributor."""
        return self.confidentiality == Confidentiality.PUBLIC and bool(self.name)

    @property
    def public_comment(self) -> str:
        """What the public response shows of the comment: the editors' summary, else the
        redacted form, else the comment itself."""
        if self.summary:
            return self.summary
        if self.confidentiality == Confidentiality.REDACTED:
            return self.redacted_comment
        return self.comment

    @property
    def public_proposed_wording(self) -> str:
        """The proposed wording as published (none when a summary stands for the whole)."""
        if self.summary:
            return ""
        if self.confidentiality == Confidentiality.REDACTED:
            return self.redacted_proposed_wording
        return self.proposed_wording

    @property
    def public_contributor(self) -> str:
        """The contributor as the public response names them: by name only with consent."""
        if self.is_named:
            return f"{self.name} ({self.organisation})" if self.organisation else self.name
        parts = [str(self.get_category_display())]
        if self.country:
            parts.append(str(self.country.name))
        return ", ".join(parts)

    @property
    def public_decision(self) -> str:
        if self.incorporated_in is not None:
            return str(
                _("%(decision)s: incorporated in edition %(number)s")
                % {"decision": self.get_status_display(), "number": self.incorporated_in.number}
            )
        if self.status == Status.DUPLICATE and self.duplicate_of is not None:
            # An item kept from the public is not named, not even by its reference.
            if self.duplicate_of.confidentiality not in PUBLISHED_LEVELS:
                return str(self.get_status_display())
            return str(_("Duplicate of %(reference)s") % {"reference": self.duplicate_of.reference})
        if self.status == Status.SPAM:
            return str(_("Closed"))
        return str(self.get_status_display())


class TrackingLink(models.Model):
    """One private link to a contributor's tracking page, as sent in a receipt or an e-mail.

    Only the digest of its token is stored: nobody who reads the database, a backup or the
    back office can open a contributor's page. Each e-mail carries a new link, valid for
    FEEDBACK_TRACKING_DAYS; earlier links keep working until their own expiry.
    """

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="tracking_links")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=tracking_expiry, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.feedback_id} until {self.expires_at:%Y-%m-%d}"


def tracking_path(token: str) -> str:
    """The address of the tracking page a token opens, in the active language."""
    return reverse("feedback:track", kwargs={"token": token})


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Received")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    NOTE = "note", _("Internal note")
    ADDRESSED = "addressed", _("Change recorded")
    UNADDRESSED = "unaddressed", _("Change record withdrawn")
    INCORPORATED = "incorporated", _("Incorporated")
    RESPONSE = "response", _("Public text changed")
    EMAIL_SENT = "email_sent", _("E-mail sent")
    EMAIL_FAILED = "email_failed", _("E-mail failed")
    ANSWER = "answer", _("Contributor answered the response")


# Events the contributor sees on their tracking page (never notes, assignments or e-mail).
PUBLIC_EVENT_KINDS = (EventKind.SUBMITTED, EventKind.STATUS, EventKind.INCORPORATED)


class FeedbackEvent(models.Model):
    """One entry in an item's history: who did what, and when. Never changed or deleted."""

    feedback = models.ForeignKey(Feedback, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    old_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    new_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    text = TypedTextField(_("details"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} · {self.get_kind_display()}"


# --- Consultation rounds -----------------------------------------------------------------


class LateComments(models.TextChoices):
    REFUSE = "refuse", _("refused")
    ACCEPT = "accept", _("accepted and marked late")


class RoundQuerySet(models.QuerySet):
    def open_at(self, moment: datetime.datetime) -> "RoundQuerySet":
        return self.filter(opens_at__lte=moment, closes_at__gt=moment)

    def upcoming_at(self, moment: datetime.datetime) -> "RoundQuerySet":
        return self.filter(opens_at__gt=moment)

    def closed_at(self, moment: datetime.datetime) -> "RoundQuerySet":
        return self.filter(closes_at__lte=moment)

    def covering(self, edition: Edition, module: Module | None) -> "RoundQuerySet":
        """Rounds on ``edition`` whose scope holds ``module`` (None: the guidelines as a
        whole, which only a round on the whole text covers)."""
        whole = Q(whole_text=True)
        return self.filter(Q(edition=edition) & (whole | Q(modules=module) if module else whole))


class ConsultationRound(models.Model):
    """A dated call for comments on a published edition, on the whole text or some modules.

    It opens and closes at a moment (stored in UTC, shown in UTC and in the reader's time
    zone). Its deadline may only move later, each time with a reason (RoundExtension). A
    comment sent after the deadline is refused or kept and marked late, as ``late_comments``
    says. Rounds on overlapping parts of the text never run at the same time.
    """

    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True)
    description_en = TypedTextField(_("description (English)"), max_length=5000)
    description_ru = TypedTextField(_("description (Russian)"), max_length=5000, blank=True)
    edition = models.ForeignKey(
        Edition,
        on_delete=models.PROTECT,
        related_name="consultation_rounds",
        verbose_name=_("edition under consultation"),
    )
    whole_text = models.BooleanField(_("the whole text"), default=True)
    modules = models.ManyToManyField(
        Module, blank=True, related_name="consultation_rounds", verbose_name=_("modules")
    )
    opens_at = models.DateTimeField(_("opens at"), db_index=True)
    closes_at = models.DateTimeField(_("closes at"), db_index=True)
    contact_email = models.EmailField(_("contact e-mail"))
    late_comments = models.CharField(
        _("comments after the deadline"),
        max_length=8,
        choices=LateComments.choices,
        default=LateComments.REFUSE,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )

    title = Localized("title")
    description = Localized("description")

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("consultation round")
        verbose_name_plural = _("consultation rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="round_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return self.title_en

    def get_absolute_url(self) -> str:
        return reverse("feedback:round", kwargs={"pk": self.pk})

    def is_open_at(self, moment: datetime.datetime) -> bool:
        return self.opens_at <= moment < self.closes_at

    @property
    def accepts_late(self) -> bool:
        return self.late_comments == LateComments.ACCEPT


class RoundExtension(models.Model):
    """A later deadline for a round, with the reason readers are shown."""

    round = models.ForeignKey(
        ConsultationRound, on_delete=models.CASCADE, related_name="extensions"
    )
    closes_at_before = models.DateTimeField(_("deadline before"))
    closes_at = models.DateTimeField(_("new deadline"))
    reason_en = TypedTextField(_("reason (English)"), max_length=2000)
    reason_ru = TypedTextField(_("reason (Russian)"), max_length=2000, blank=True)
    extended_at = models.DateTimeField(_("extended at"), auto_now_add=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("extended by"),
    )

    reason = Localized("reason")

    class Meta:
        ordering = ["extended_at", "pk"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")

    def __str__(self) -> str:
        return f"{self.closes_at_before:%Y-%m-%d %H:%M} -> {self.closes_at:%Y-%m-%d %H:%M}"


class AlertFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("For each new comment, as it arrives")
    DAILY = "daily", _("Once a day, one message listing the new comments")
    OFF = "off", _("Never")


class EditorAlerts(models.Model):
    """How one staff member who triages feedback hears of new comments, and in which language.

    Without a row, a person hears of each comment as it arrives, in the site's default
    language. ``digest_through``: the comments recorded up to that moment have been in this
    person's daily digests (the next one lists those recorded after it).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="feedback_alerts",
        verbose_name=_("user"),
    )
    frequency = models.CharField(
        _("new-comment alerts"),
        max_length=10,
        choices=AlertFrequency.choices,
        default=AlertFrequency.IMMEDIATE,
    )
    language = models.CharField(
        _("language of the alerts"),
        max_length=5,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    digest_through = models.DateTimeField(_("digests sent up to"), null=True, editable=False)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("new-comment alerts")
        verbose_name_plural = _("new-comment alerts")
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=AlertFrequency.values),
                name="feedback_editoralerts_frequency_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.frequency}"


class ResponseTemplate(models.Model):
    """A response editors give often ("already covered in section …", "out of the scope of
    resolution 2370"), in both languages, offered when deciding on an item. Choosing one fills
    the item's public response; the editor may then adapt it. Never deleted (items keep the
    words they were given, not a link to the template): retired templates are made inactive.
    """

    title_en = models.CharField(_("name (English)"), max_length=120, unique=True)
    title_ru = models.CharField(_("name (Russian)"), max_length=120)
    status = models.CharField(
        _("decision it fits"),
        max_length=20,
        choices=Status.choices,
        blank=True,
        help_text=_("Offered first for this decision; leave empty to offer it for any."),
    )
    response_en = TypedTextField(_("response (English)"), max_length=COMMENT_MAX_LENGTH)
    response_ru = TypedTextField(_("response (Russian)"), max_length=COMMENT_MAX_LENGTH)
    active = models.BooleanField(_("offered"), default=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    title = Localized("title")

    class Meta:
        ordering = ["title_en"]
        verbose_name = _("response template")
        verbose_name_plural = _("response templates")

    def __str__(self) -> str:
        return self.title
