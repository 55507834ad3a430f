"""Every write to feedback: submit, record, triage, decide, and fold into an edition.

Each function is atomic and records what it did as a FeedbackEvent. E-mail is queued for the
background worker once the transaction commits, and a failure to send never undoes the write
(see tasks.py and notifications.py).
"""

import datetime
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Field, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from feedback import table_import
from feedback.models import (
    ACCEPTED_STATUSES,
    DECISION_STATUSES,
    PENDING_STATUSES,
    Answer,
    CommentTable,
    Confidentiality,
    ConsultationRound,
    EventKind,
    Feedback,
    FeedbackEvent,
    ResponseTemplate,
    RoundExtension,
    Source,
    Status,
    TrackingLink,
    consented_level,
    submission_fingerprint,
)
from feedback.targets import Target
from feedback.tasks import email_after_commit
from guidelines_portal.tokens import new_token, token_digest
from modules import services as content
from modules.labels import utc_moment
from modules.models import Edition, EditionModule, Module, Section

# Contributor-supplied fields a submission may set.
CONTRIBUTION_FIELDS = (
    "kind", "comment", "proposed_wording", "category", "country", "name", "organisation",
    "email", "may_name", "publishable",
)  # fmt: skip


def _user(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def _save_new(feedback: Feedback) -> Feedback:
    """Insert with a unique placeholder, then give the reference its final form."""
    feedback.reference = f"~{secrets.token_hex(8)}"
    feedback.save()
    feedback.reference = f"FB-{feedback.received_on:%Y}-{feedback.pk:04d}"
    Feedback.objects.filter(pk=feedback.pk).update(reference=feedback.reference)
    return feedback


@transaction.atomic
def feedback_submit(
    *,
    data: dict,
    language: str,
    edition: Edition | None,
    target: Target,
    form_nonce: str = "",
    received_on: datetime.date | None = None,
    notify: bool = True,
    consultation: ConsultationRound | None = None,
    late: bool = False,
) -> tuple[Feedback, bool]:
    """Store a comment sent through the site; (item, False) when it was already stored.

    The same comment sent twice (a double click, a reload, a retry) is stored once: a
    unique fingerprint settles even two requests that race each other. ``notify=False``
    sends no e-mail (demonstration data). ``consultation``: the round the comment was sent in
    (``late``: after its deadline, which that round allows; see selectors.round_for_comment).
    """
    fingerprint = submission_fingerprint(
        section_key=target.section_key, paragraph=target.paragraph, data=data
    )
    existing = Feedback.objects.filter(fingerprint=fingerprint).first()
    if existing is not None:
        return existing, False
    feedback = Feedback(
        **{name: data[name] for name in CONTRIBUTION_FIELDS if name in data},
        confidentiality=consented_level(
            publishable=data.get("publishable", True), may_name=data.get("may_name", False)
        ),
        language=language,
        edition=edition,
        module=target.module,
        section=target.section,
        section_key=target.section_key,
        section_number=target.section_number,
        paragraph=target.paragraph,
        source=Source.WEB,
        received_on=received_on or timezone.localdate(),
        fingerprint=fingerprint,
        form_nonce=form_nonce,
        round=consultation,
        late=late and consultation is not None,
    )
    # The form has validated the values; the database enforces uniqueness and relations.
    feedback.full_clean(
        exclude=["reference", "edition", "module", "section"],
        validate_unique=False,
        validate_constraints=False,
    )
    try:
        with transaction.atomic():
            _save_new(feedback)
    except IntegrityError:
        existing = Feedback.objects.filter(fingerprint=fingerprint).first()
        if existing is None:
            raise
        return existing, False
    FeedbackEvent.objects.create(
        feedback=feedback, kind=EventKind.SUBMITTED, new_status=feedback.status
    )
    if notify:
        email_after_commit("received", [feedback.pk])
    return feedback, True


def feedback_tracking_link(*, feedback: Feedback, prune: bool = False) -> str:
    """A new private link to the item's tracking page: returns its token, of which only the
    digest is stored. ``prune`` also forgets the item's expired links."""
    token = new_token()
    if prune:
        feedback.tracking_links.filter(expires_at__lte=timezone.now()).delete()
    TrackingLink.objects.create(feedback=feedback, digest=token_digest(token))
    return token


@transaction.atomic
def feedback_record(*, user: User | None, note: str = "", **fields) -> Feedback:
    """Record feedback received outside the site (a workshop, a letter, a meeting)."""
    if fields.get("source", Source.OTHER) == Source.WEB:
        raise ValidationError(
            {"source": _("Feedback recorded by an editor must say where it came from.")}
        )
    section = fields.get("section")
    if section is not None:
        fields.setdefault("module", section.module)
        fields["section_key"] = section.key
        fields.setdefault("section_number", section.number)
    feedback = Feedback(**fields)
    feedback.confidentiality = consented_level(
        publishable=feedback.publishable, may_name=feedback.may_name
    )
    feedback.full_clean(exclude=["reference"])
    _save_new(feedback)
    FeedbackEvent.objects.create(
        feedback=feedback,
        actor=_user(user),
        kind=EventKind.SUBMITTED,
        new_status=feedback.status,
        text=feedback.get_source_display(),
    )
    if note.strip():
        FeedbackEvent.objects.create(
            feedback=feedback, actor=_user(user), kind=EventKind.NOTE, text=note.strip()
        )
    return feedback


def _verbose_name(name: str) -> object:
    field = Feedback._meta.get_field(name)
    return field.verbose_name if isinstance(field, Field) else name


def validate_status(feedback: Feedback, status: str, duplicate_of: Feedback | None = None) -> None:
    """Refuse a status change that would lose or contradict a decision."""
    if status not in Status.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    if feedback.incorporated_in is not None and status != feedback.status:
        raise ValidationError(
            {
                "status": _(
                    "This item was incorporated in edition %(number)s; its decision is final."
                )
                % {"number": feedback.incorporated_in.number}
            }
        )
    if feedback.addressed_at and status not in ACCEPTED_STATUSES:
        raise ValidationError(
            {
                "status": _(
                    "A change to the section is recorded as addressing this item: withdraw "
                    "that record in the section first."
                )
            }
        )
    if status == Status.DUPLICATE:
        if duplicate_of is None:
            raise ValidationError({"duplicate_of": _("Say which item this one duplicates.")})
        seen = {feedback.pk}
        node_id: int | None = duplicate_of.pk
        while node_id is not None:
            if node_id in seen:
                raise ValidationError(
                    {"duplicate_of": _("An item cannot duplicate itself, even through others.")}
                )
            seen.add(node_id)
            node_id = (
                Feedback.objects.filter(pk=node_id).values_list("duplicate_of", flat=True).first()
            )
    elif duplicate_of is not None:
        raise ValidationError(
            {"duplicate_of": _("Only an item marked as a duplicate points at another item.")}
        )


@transaction.atomic
def feedback_set_status(
    *,
    feedback: Feedback,
    status: str,
    user: User | None,
    duplicate_of: Feedback | None = None,
    notify: bool = True,
) -> bool:
    """Change an item's status, keep it in the history, tell the contributor of a decision.

    Returns False when nothing changed.
    """
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    validate_status(feedback, status, duplicate_of)
    if feedback.status == status and feedback.duplicate_of_id == getattr(duplicate_of, "pk", None):
        return False
    old = feedback.status
    feedback.status = status
    feedback.duplicate_of = duplicate_of
    if status in DECISION_STATUSES:
        feedback.decided_at = timezone.now()
    elif status in PENDING_STATUSES:
        feedback.decided_at = None
    feedback.save(update_fields=["status", "duplicate_of", "decided_at"])
    _withdraw_answer(feedback)  # it answered the decision taken before
    FeedbackEvent.objects.create(
        feedback=feedback,
        actor=_user(user),
        kind=EventKind.STATUS,
        old_status=old,
        new_status=status,
        text=duplicate_of.reference if duplicate_of else "",
    )
    if notify and status in DECISION_STATUSES:
        email_after_commit("decision", [feedback.pk])
    return True


@transaction.atomic
def feedback_bulk_status(
    *, items: Iterable[Feedback], status: str, user: User, notify: bool = True
) -> tuple[int, list[tuple[Feedback, ValidationError]]]:
    """Set one status on many items; (changed count, items refused with the reason)."""
    changed, refused = 0, []
    for item in items:
        try:
            with transaction.atomic():
                changed += feedback_set_status(
                    feedback=item, status=status, user=user, notify=notify
                )
        except ValidationError as error:
            refused.append((item, error))
    return changed, refused


@transaction.atomic
def feedback_assign(*, feedback: Feedback, assignee: User | None, user: User) -> bool:
    """Give an item to an editor (or to nobody), and keep that in the history."""
    if feedback.assigned_to_id == getattr(assignee, "pk", None):
        return False
    Feedback.objects.filter(pk=feedback.pk).update(assigned_to=assignee)
    feedback.assigned_to = assignee
    FeedbackEvent.objects.create(
        feedback=feedback,
        actor=_user(user),
        kind=EventKind.ASSIGNED,
        text=assignee.get_username() if assignee else "",
    )
    return True


PUBLIC_TEXT_FIELDS = ("summary_en", "summary_ru", "response_en", "response_ru")


@transaction.atomic
def feedback_edit_public_texts(*, feedback: Feedback, user: User | None, **texts: str) -> bool:
    """Change the public summary and response; the history keeps each text as it was.

    Returns False when nothing changed.
    """
    unknown = set(texts) - set(PUBLIC_TEXT_FIELDS)
    if unknown:
        raise ValueError(f"Not public texts: {sorted(unknown)}")
    stored = Feedback.objects.select_for_update().get(pk=feedback.pk)
    changed = {
        name: (getattr(stored, name) or "", value or "")
        for name, value in texts.items()
        if (getattr(stored, name) or "") != (value or "")
    }
    if not changed:
        return False
    Feedback.objects.filter(pk=feedback.pk).update(**{n: new for n, (_old, new) in changed.items()})
    for name, (_old, new) in changed.items():
        setattr(feedback, name, new)
    if {"response_en", "response_ru"} & set(changed):
        _withdraw_answer(stored)  # it answered the response as it was
        feedback.answer, feedback.answer_text, feedback.answered_at = "", "", None
    FeedbackEvent.objects.create(
        feedback=feedback,
        actor=_user(user),
        kind=EventKind.RESPONSE,
        text="\n\n".join(
            _("%(field)s was: %(text)s") % {"field": _verbose_name(name), "text": old or "—"}
            for name, (old, _new) in changed.items()
        ),
    )
    return True


PUBLICATION_FIELDS = ("confidentiality", "redacted_comment", "redacted_proposed_wording")


def publication_check(
    feedback: Feedback, *, confidentiality: str, redacted_comment: str = "", **_texts: str
) -> None:
    """Raise ValidationError (by field) when ``feedback`` may not be published this way:
    never more public than its contributor allowed; a redacted form needs its text."""
    errors: dict[str, list] = {}
    if confidentiality not in Confidentiality.values:
        errors["confidentiality"] = [_("Choose how the comment is published.")]
    elif not feedback.publishable and confidentiality != Confidentiality.SECRETARIAT:
        errors["confidentiality"] = [
            _("Its contributor asked that it not be published: it stays with the secretariat.")
        ]
    elif confidentiality == Confidentiality.PUBLIC and not feedback.may_name:
        errors["confidentiality"] = [
            _("Its contributor did not agree to be named: publish it without the name.")
        ]
    elif confidentiality == Confidentiality.REDACTED and not (redacted_comment or "").strip():
        errors["redacted_comment"] = [_("Write the redacted comment that is published.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def feedback_set_publication(
    *,
    feedback: Feedback,
    user: User | None,
    confidentiality: str,
    redacted_comment: str = "",
    redacted_proposed_wording: str = "",
) -> bool:
    """Decide how an item is published (and, for a redacted form, the text published
    instead of the original, which is kept). The history records the level and each redacted
    text as it was, never the original. Returns False when nothing changed."""
    publication_check(feedback, confidentiality=confidentiality, redacted_comment=redacted_comment)
    stored = Feedback.objects.select_for_update().get(pk=feedback.pk)
    values = {
        "confidentiality": confidentiality,
        "redacted_comment": (redacted_comment or "").strip(),
        "redacted_proposed_wording": (redacted_proposed_wording or "").strip(),
    }
    changed = {
        name: (getattr(stored, name), value)
        for name, value in values.items()
        if getattr(stored, name) != value
    }
    if not changed:
        return False
    Feedback.objects.filter(pk=feedback.pk).update(**values)
    for name, value in values.items():
        setattr(feedback, name, value)
    lines = []
    if "confidentiality" in changed:
        lines.append(
            _("Publication: %(old)s → %(new)s")
            % {
                "old": Confidentiality(changed["confidentiality"][0]).label,
                "new": Confidentiality(confidentiality).label,
            }
        )
    lines += [
        _("%(field)s was: %(text)s") % {"field": _verbose_name(name), "text": old or "—"}
        for name, (old, _new) in changed.items()
        if name != "confidentiality"
    ]
    # A "public text changed" event: the pages that show the item are rendered again.
    FeedbackEvent.objects.create(
        feedback=feedback, actor=_user(user), kind=EventKind.RESPONSE, text="\n\n".join(lines)
    )
    return True


def feedback_note(*, feedback: Feedback, text: str, user: User) -> FeedbackEvent:
    """An internal note: editors see it in the history; the public never does."""
    text = text.strip()
    if not text:
        raise ValidationError(_("The note is empty."))
    return FeedbackEvent.objects.create(
        feedback=feedback, actor=_user(user), kind=EventKind.NOTE, text=text
    )


@transaction.atomic
def feedback_triage(
    *, feedback: Feedback, stored: Feedback, note: str = "", user: User
) -> Feedback:
    """Save an item as edited in the back office. ``feedback`` holds the edited values,
    ``stored`` the item as it was. What the contributor sent (place, comment, contributor) is
    saved as it is; each decision (public texts, status and duplicate, assignee) goes through
    its own service, checked and recorded in the history once; a note is added to it."""
    status, duplicate_of, assignee = feedback.status, feedback.duplicate_of, feedback.assigned_to
    texts = {name: getattr(feedback, name) for name in PUBLIC_TEXT_FIELDS}
    publication = {name: getattr(feedback, name) for name in PUBLICATION_FIELDS}
    feedback.status, feedback.duplicate_of_id = stored.status, stored.duplicate_of_id
    feedback.assigned_to_id = stored.assigned_to_id
    for name in (*PUBLIC_TEXT_FIELDS, *PUBLICATION_FIELDS):
        setattr(feedback, name, getattr(stored, name))
    if feedback.section is not None and feedback.section_id != stored.section_id:
        feedback.module, feedback.section_key = feedback.section.module, feedback.section.key
    feedback.save()
    feedback_edit_public_texts(feedback=feedback, user=user, **texts)
    feedback_set_publication(feedback=feedback, user=user, **publication)
    feedback_set_status(feedback=feedback, status=status, duplicate_of=duplicate_of, user=user)
    feedback_assign(feedback=feedback, assignee=assignee, user=user)
    if note.strip():
        feedback_note(feedback=feedback, text=note, user=user)
    return feedback


@transaction.atomic
def feedback_decide(
    *,
    feedback: Feedback,
    status: str,
    user: User,
    duplicate_of: Feedback | None = None,
    response_en: str | None = None,
    response_ru: str | None = None,
    note: str = "",
    notify: bool = True,
) -> bool:
    """A decision taken on the triage desk: the public response (when given) first, so the
    decision e-mail carries it, then the status, then a note. All of it or nothing.

    Returns False when nothing changed.
    """
    texts = {
        name: value
        for name, value in (("response_en", response_en), ("response_ru", response_ru))
        if value is not None
    }
    changed = feedback_edit_public_texts(feedback=feedback, user=user, **texts) if texts else False
    changed |= feedback_set_status(
        feedback=feedback, status=status, duplicate_of=duplicate_of, user=user, notify=notify
    )
    if note.strip():
        feedback_note(feedback=feedback, text=note, user=user)
        changed = True
    return changed


@transaction.atomic
def feedback_bulk_decide(
    *,
    items: Iterable[Feedback],
    status: str,
    user: User,
    template: ResponseTemplate | None = None,
    notify: bool = True,
) -> tuple[int, int, list[tuple[Feedback, ValidationError]]]:
    """One decision on many items, each kept or refused on its own: (changed, responses kept,
    items refused with the reason). A template's response goes only to items that have none:
    a response an editor wrote for one item is never overwritten by a bulk decision."""
    changed, kept, refused = 0, 0, []
    for item in items:
        answered = bool(item.response_en or item.response_ru)
        given = None if answered else template
        try:
            with transaction.atomic():
                changed += feedback_decide(
                    feedback=item, status=status, user=user, notify=notify,
                    response_en=given.response_en if given else None,
                    response_ru=given.response_ru if given else None,
                )  # fmt: skip
        except ValidationError as error:
            refused.append((item, error))
        else:
            kept += template is not None and answered
    return changed, kept, refused


@transaction.atomic
def section_save_addressing(
    *,
    section: Section,
    changed_fields: set[str],
    items: Iterable[Feedback] | None,
    position: int | None = None,
    restoring: bool = False,
    user: User,
) -> Section:
    """Save a section as edited in the back office (modules.services.section_save) and, when
    ``items`` is given (the accepted feedback the editor was offered), record which of them
    its change addresses."""
    content.section_save(
        section=section, changed_fields=changed_fields, position=position,
        restoring=restoring, user=user,
    )  # fmt: skip
    if items is not None:
        feedback_mark_addressed(section=section, items=items, user=user)
    return section


@transaction.atomic
def feedback_mark_addressed(
    *, section: Section, items: Iterable[Feedback], user: User | None
) -> None:
    """Record which accepted items of a section the editor's draft change addresses.

    Items offered but not chosen lose an earlier record, so the editor's last choice holds.
    """
    chosen = {item.pk for item in items}
    now = timezone.now()
    for item in Feedback.objects.awaiting_change().filter(section=section).select_for_update():
        if item.pk in chosen and item.addressed_at is None:
            item.addressed_at, item.addressed_by = now, _user(user)
            kind = EventKind.ADDRESSED
        elif item.pk not in chosen and item.addressed_at is not None:
            item.addressed_at, item.addressed_by = None, None
            kind = EventKind.UNADDRESSED
        else:
            continue
        item.save(update_fields=["addressed_at", "addressed_by"])
        FeedbackEvent.objects.create(
            feedback=item, actor=_user(user), kind=kind, text=section.number
        )


def feedback_incorporate(
    *, edition: Edition, changed_keys: set[str], notify: bool = True
) -> list[Feedback]:
    """Fold decided items into a newly published edition (called by edition_publish).

    Accepted items whose section change was recorded as addressing them, and whose section
    did change in this edition, become "incorporated in" it; items recorded as addressed
    whose section did not change stay open. Every other decision taken since the previous
    edition is published with this edition's response to comments. Runs inside the
    publication's transaction.
    """
    now = timezone.now()
    incorporated = list(
        Feedback.objects.awaiting_change()
        .filter(addressed_at__isnull=False, section_key__in=changed_keys)
        .select_for_update()
    )
    for item in incorporated:
        item.incorporated_in = edition
        item.responded_in = edition
    Feedback.objects.bulk_update(incorporated, ["incorporated_in", "responded_in"])
    FeedbackEvent.objects.bulk_create(
        FeedbackEvent(
            feedback=item,
            at=now,
            kind=EventKind.INCORPORATED,
            actor=edition.published_by,
            text=edition.number,
        )
        for item in incorporated
    )
    # Decided and not yet in a response: this edition's response. Accepted items about a
    # section wait for their change; accepted items about the whole text or a module do not.
    waiting = Q(status__in=ACCEPTED_STATUSES, incorporated_in__isnull=True) & ~Q(section_key="")
    Feedback.objects.filter(status__in=DECISION_STATUSES, responded_in__isnull=True).exclude(
        waiting
    ).update(responded_in=edition)
    if incorporated and notify:
        email_after_commit("incorporated", [item.pk for item in incorporated])
    return incorporated


# --- The contributor's answer to a decision ---------------------------------------------

# Each change of answer is kept in the item's history; past this many, nothing more is taken.
MAX_ANSWERS = 10


@transaction.atomic
def feedback_answer(*, feedback: Feedback, satisfied: bool, text: str = "") -> bool:
    """Record whether the editors' decision and response satisfy the contributor, with a
    short reply. False when this is the answer already recorded (sent twice)."""
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.status not in DECISION_STATUSES:
        raise ValidationError(
            _("You can answer once the editors have decided on your comment."), code="undecided"
        )
    answer = Answer.SATISFIED if satisfied else Answer.NOT_SATISFIED
    text = text.strip()
    if (feedback.answer, feedback.answer_text) == (answer, text):
        return False
    if feedback.events.filter(kind=EventKind.ANSWER).count() >= MAX_ANSWERS:
        raise ValidationError(
            _("Your answer has been changed many times already; it cannot be changed again."),
            code="too_many",
        )
    Feedback.objects.filter(pk=feedback.pk).update(
        answer=answer, answer_text=text, answered_at=timezone.now()
    )
    # The history keeps every answer and reply, as the contributor sent them.
    FeedbackEvent.objects.create(
        feedback=feedback, kind=EventKind.ANSWER, text=f"{answer}\n{text}".strip()
    )
    return True


def _withdraw_answer(feedback: Feedback) -> None:
    """The decision or the response changed: the contributor's answer (kept in the history)
    no longer applies, and they may answer again."""
    if feedback.answer or feedback.answer_text:
        Feedback.objects.filter(pk=feedback.pk).update(answer="", answer_text="", answered_at=None)
        feedback.answer, feedback.answer_text, feedback.answered_at = "", "", None


# --- Consultation rounds -----------------------------------------------------------------

# A round may be given an opening time a little in the past: the time it took to fill the form.
OPENING_GRACE = datetime.timedelta(minutes=15)
ROUND_TEXT_FIELDS = (
    "title_en", "title_ru", "description_en", "description_ru", "contact_email", "late_comments",
)  # fmt: skip


def round_check(
    *,
    edition: Edition | None,
    opens_at: datetime.datetime | None,
    closes_at: datetime.datetime | None,
    whole_text: bool,
    modules: Iterable[Module],
    current: ConsultationRound | None = None,
) -> None:
    """Raise ValidationError (by field) when a round with these dates and scope may not be
    opened, or ``current`` may not be changed to them."""
    now = timezone.now()
    errors: dict[str, list] = {}
    modules = list(modules)
    if not whole_text and not modules:
        errors.setdefault("modules", []).append(
            _("Choose the modules the round is about, or tick “the whole text”.")
        )
    if edition is not None and not whole_text and modules:
        published = set(edition.modules.values_list("code", flat=True))
        missing = [m.short_title or m.code for m in modules if m.code not in published]
        if missing:
            errors.setdefault("modules", []).append(
                _("Not in this edition: %(modules)s.") % {"modules": ", ".join(missing)}
            )
    opening_moved = current is None or opens_at != current.opens_at
    if opens_at is not None and opening_moved and opens_at < now - OPENING_GRACE:
        errors.setdefault("opens_at", []).append(_("The opening date and time are in the past."))
    if closes_at is not None and closes_at <= now:
        errors.setdefault("closes_at", []).append(_("The closing date and time are in the past."))
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        errors.setdefault("closes_at", []).append(_("The round must close after it opens."))
    if not errors and opens_at is not None and closes_at is not None:
        other = _overlapping(opens_at, closes_at, whole_text, modules, current)
        if other is not None:
            errors.setdefault("__all__", []).append(
                ValidationError(
                    _(
                        "These dates overlap the round “%(title)s” (%(opens)s to %(closes)s) on "
                        "the same part of the text. Choose other dates or another scope."
                    ),
                    params={
                        "title": other.title,
                        "opens": utc_moment(other.opens_at),
                        "closes": utc_moment(other.closes_at),
                    },
                    code="overlap",
                )
            )
    if errors:
        raise ValidationError(errors)


def _overlapping(
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    whole_text: bool,
    modules: list[Module],
    current: ConsultationRound | None,
) -> ConsultationRound | None:
    others = ConsultationRound.objects.filter(opens_at__lt=closes_at, closes_at__gt=opens_at)
    if current is not None:
        others = others.exclude(pk=current.pk)
    if not whole_text:
        others = others.filter(Q(whole_text=True) | Q(modules__in=modules)).distinct()
    return others.order_by("opens_at").first()


@transaction.atomic
def round_open(
    *,
    edition: Edition,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    whole_text: bool,
    modules: Iterable[Module] = (),
    user: User | None = None,
    **texts: str,
) -> ConsultationRound:
    """Announce a consultation round (it opens at ``opens_at``, which may be now)."""
    unknown = set(texts) - set(ROUND_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"round_open() got unexpected fields: {sorted(unknown)}")
    modules = [] if whole_text else list(modules)
    # To the second, as forms show them: an unchanged time is never taken for a change.
    opens_at, closes_at = opens_at.replace(microsecond=0), closes_at.replace(microsecond=0)
    # One round at a time per part of the text, even when two editors open one at once.
    list(ConsultationRound.objects.select_for_update().filter(closes_at__gt=opens_at))
    round_check(
        edition=edition, opens_at=opens_at, closes_at=closes_at, whole_text=whole_text,
        modules=modules,
    )  # fmt: skip
    consultation = ConsultationRound(
        edition=edition, opens_at=opens_at, closes_at=closes_at, whole_text=whole_text,
        created_by=_user(user), **texts,
    )  # fmt: skip
    consultation.full_clean(exclude=["edition", "modules"])
    consultation.save()
    consultation.modules.set(modules)
    return consultation


@transaction.atomic
def round_update(
    *,
    consultation: ConsultationRound,
    opens_at: datetime.datetime | None = None,
    closes_at: datetime.datetime | None = None,
    whole_text: bool | None = None,
    modules: Iterable[Module] | None = None,
    **texts: str,
) -> ConsultationRound:
    """Change a round's texts, contact and late policy; its dates and scope only until it
    opens. Once open, its deadline moves only with round_extend()."""
    consultation = ConsultationRound.objects.select_for_update().get(pk=consultation.pk)
    unknown = set(texts) - set(ROUND_TEXT_FIELDS)
    if unknown:
        raise TypeError(f"round_update() got unexpected fields: {sorted(unknown)}")
    new_opening = (opens_at or consultation.opens_at).replace(microsecond=0)
    new_closing = (closes_at or consultation.closes_at).replace(microsecond=0)
    new_whole = whole_text if whole_text is not None else consultation.whole_text
    new_modules = (
        [] if new_whole else list(modules if modules is not None else consultation.modules.all())
    )
    reschedule_check(
        consultation=consultation, opens_at=new_opening, whole_text=new_whole,
        modules=new_modules, closes_at=new_closing,
    )  # fmt: skip
    for name, value in texts.items():
        setattr(consultation, name, value)
    consultation.opens_at, consultation.closes_at = new_opening, new_closing
    consultation.whole_text = new_whole
    consultation.full_clean(exclude=["edition", "modules"])
    consultation.save()
    consultation.modules.set(new_modules)
    return consultation


def extension_check(
    *, consultation: ConsultationRound, closes_at: datetime.datetime, reason_en: str
) -> None:
    """Raise ValidationError (by field: closes_at, reason_en) when the round's deadline may
    not move to ``closes_at`` for this reason."""
    errors: dict[str, list] = {}
    if closes_at <= consultation.closes_at:
        errors["closes_at"] = [_("An extension moves the deadline later.")]
    elif closes_at <= timezone.now():
        errors["closes_at"] = [_("The closing date and time are in the past.")]
    if not reason_en.strip():
        errors["reason_en"] = [_("Say why the deadline is extended: readers are shown it.")]
    if errors:
        raise ValidationError(errors)
    round_check(
        edition=consultation.edition, opens_at=consultation.opens_at, closes_at=closes_at,
        whole_text=consultation.whole_text, modules=consultation.modules.all(),
        current=consultation,
    )  # fmt: skip


def reschedule_check(
    *,
    consultation: ConsultationRound,
    opens_at: datetime.datetime,
    whole_text: bool,
    modules: Iterable[Module],
    closes_at: datetime.datetime | None = None,
) -> None:
    """Raise ValidationError when the round may not open at ``opens_at`` (and, before it
    opens, close at ``closes_at``) on this scope: once it has opened, none of these change
    (its deadline then moves only with round_extend())."""
    modules = [] if whole_text else list(modules)
    closes_at = closes_at or consultation.closes_at
    current = set(consultation.modules.values_list("pk", flat=True))
    scope_changed = whole_text != consultation.whole_text or {m.pk for m in modules} != current
    moved = opens_at != consultation.opens_at or closes_at != consultation.closes_at
    if not moved and not scope_changed:
        return
    if consultation.opens_at <= timezone.now():
        raise ValidationError(
            _("This round has opened: its opening and its scope can no longer change.")
        )
    round_check(
        edition=consultation.edition, opens_at=opens_at, closes_at=closes_at,
        whole_text=whole_text, modules=modules, current=consultation,
    )  # fmt: skip


@transaction.atomic
def round_extend(
    *,
    consultation: ConsultationRound,
    closes_at: datetime.datetime,
    reason_en: str,
    reason_ru: str = "",
    user: User | None = None,
) -> RoundExtension:
    """Move a round's deadline later, with the reason readers are shown."""
    consultation = ConsultationRound.objects.select_for_update().get(pk=consultation.pk)
    closes_at = closes_at.replace(microsecond=0)
    extension_check(consultation=consultation, closes_at=closes_at, reason_en=reason_en)
    extension = RoundExtension.objects.create(
        round=consultation, closes_at_before=consultation.closes_at, closes_at=closes_at,
        reason_en=reason_en.strip(), reason_ru=reason_ru.strip(), extended_by=_user(user),
    )  # fmt: skip
    ConsultationRound.objects.filter(pk=consultation.pk).update(closes_at=closes_at)
    return extension


# --- Comment tables ------------------------------------------------------------------------

PENDING_TABLE_DAYS = 7


def comment_table_upload(
    *,
    data: bytes,
    file_name: str,
    user: User,
    edition: Edition | None,
    **details,
) -> tuple[CommentTable, bool]:
    """Keep the rows of an uploaded comment table for its preview: (table, True), or the
    table recorded earlier from the same file and False (nothing new is kept).

    ``edition``: the edition the editor says the table was made for (None: as the workbook
    says). ``details``: source, source_detail, workshop, received_on, may_name, publishable.
    Raises TableError (unreadable file) or ValidationError (edition unknown or contradicted).
    """
    checksum = hashlib.sha256(data).hexdigest()
    recorded = CommentTable.objects.filter(checksum=checksum, confirmed_at__isnull=False).first()
    if recorded is not None:
        return recorded, False
    table = table_import.read_table(data)
    declared = None
    if table.edition:
        declared = Edition.objects.published().filter(number=table.edition).first()
        if declared is None:
            raise ValidationError(
                _("The table was made for edition %(number)s, which is not a published edition.")
                % {"number": table.edition}
            )
        if edition is not None and edition != declared:
            raise ValidationError(
                _(
                    "The table was made for edition %(table)s, not %(chosen)s: choose “as the "
                    "table says”, or the edition %(table)s."
                )
                % {"table": declared.number, "chosen": edition.number}
            )
    edition = edition or declared
    if edition is None:
        raise ValidationError(
            _("The file does not say which edition it was made for: choose the edition.")
        )
    languages = {code for code, _name in settings.LANGUAGES}
    language = next(
        (lang for lang in (table.language, table.header_language) if lang in languages),
        translation.get_language() or settings.LANGUAGE_CODE,
    )
    # A module the workbook names that the edition does not have is ignored (a hand-edited
    # property names nothing): its rows name their sections anyway.
    named = EditionModule.objects.filter(edition=edition, slug=table.module).exists()
    module = table.module if named else ""
    CommentTable.objects.filter(
        confirmed_at__isnull=True,
        uploaded_at__lt=timezone.now() - datetime.timedelta(days=PENDING_TABLE_DAYS),
    ).delete()
    kept = CommentTable(
        checksum=checksum,
        file_name=file_name[:255],
        uploaded_by=user,
        edition=edition,
        language=language,
        module_slug=module,
        rows=table.rows,
        headers=table.headers,
        **details,
    )
    kept.full_clean(exclude=["rows", "headers"])
    kept.save()
    return kept, True


def comment_table_check(table: CommentTable) -> list[table_import.CheckedRow]:
    """Each row of a kept table and what it becomes, in the active language."""
    return table_import.check_rows(table.rows, table.headers, table.edition, table.language)


@transaction.atomic
def comment_table_confirm(*, table: CommentTable, user: User) -> int:
    """Record every row of a previewed table as feedback, all at once or not at all; returns
    the number of items made (a table confirmed already makes none: a second click, or
    another editor, is told so by its confirmed_at)."""
    table = CommentTable.objects.select_for_update().get(pk=table.pk)
    if table.confirmed_at is not None:
        return 0
    checked = comment_table_check(table)
    in_error = [row for row in checked if row.errors]
    if in_error:
        raise ValidationError(
            _("%(count)s rows have errors: correct the file and upload it again.")
            % {"count": len(in_error)}
        )
    recorded = [row for row in checked if row.will_record]
    keys = {row.section.key for row in recorded if row.section is not None}
    drafts = {s.key: s for s in Section.objects.filter(key__in=keys).select_related("module")}
    slugs = {m.pk: m.slug for m in EditionModule.objects.filter(edition=table.edition)}
    modules = {m.slug: m for m in Module.objects.all()}
    level = consented_level(publishable=table.publishable, may_name=table.may_name)
    items = []
    for row in recorded:
        seen = row.section
        draft = drafts.get(seen.key) if seen is not None else None
        if seen is not None:
            module = draft.module if draft else modules.get(slugs.get(seen.module_id, ""))
        else:
            module = modules.get(table.module_slug) if table.module_slug else None
        item = Feedback(
            reference=f"~{secrets.token_hex(8)}",
            edition=table.edition,
            language=table.language,
            module=module,
            section=draft,
            section_key=seen.key if seen is not None else "",
            section_number=seen.number if seen is not None else "",
            paragraph=row.paragraph,
            kind=row.kind,
            comment=row.comment,
            proposed_wording=row.proposed,
            category=row.category,
            country=row.country,
            organisation="" if row.country else row.submitter,
            name=row.person,
            may_name=table.may_name,
            publishable=table.publishable,
            confidentiality=level,
            source=table.source,
            source_detail=table.source_detail,
            workshop=table.workshop,
            received_on=table.received_on,
            fingerprint=row.fingerprint,
            comment_table=table,
        )
        item.full_clean(
            exclude=["reference", "edition", "module", "section", "workshop", "comment_table"],
            validate_unique=False,
            validate_constraints=False,
        )
        items.append(item)
    actor = _user(user)
    try:
        with transaction.atomic():
            table.confirmed_at = timezone.now()
            table.rows = []
            table.save(update_fields=["confirmed_at", "rows"])
            Feedback.objects.bulk_create(items, batch_size=500)
    except IntegrityError as error:
        raise ValidationError(
            _(
                "The same file, or some of its comments, was recorded meanwhile: upload it "
                "again to see what remains."
            )
        ) from error
    for item in items:
        item.reference = f"FB-{item.received_on:%Y}-{item.pk:04d}"
    Feedback.objects.bulk_update(items, ["reference"], batch_size=500)
    arrived = _("%(source)s, comment table “%(file)s”, row %(row)s")
    events = []
    for item, row in zip(items, recorded, strict=True):
        text = arrived % {
            "source": item.get_source_display(),
            "file": table.file_name,
            "row": row.row,
        }
        events.append(
            FeedbackEvent(
                feedback=item,
                actor=actor,
                kind=EventKind.SUBMITTED,
                new_status=item.status,
                text=text,
            )
        )
        if row.observations:
            events.append(
                FeedbackEvent(
                    feedback=item, actor=actor, kind=EventKind.NOTE, text=row.observations
                )
            )
    FeedbackEvent.objects.bulk_create(events, batch_size=500)
    return len(items)
