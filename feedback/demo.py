"""Demonstration feedback (fixtures/demo/feedback.toml), loaded through the services.

Called by modules.demo between editions: items are received after the edition their
contributor read, decided before the edition that answers them (``decided_before``), and the
accepted ones recorded as addressed by that edition's changes, so publishing it incorporates
them exactly as it would for an editor. No e-mail is sent.
"""

import datetime
import tomllib
from pathlib import Path

from django.utils import timezone

from feedback import services
from feedback.models import (
    ACCEPTED_STATUSES,
    Confidentiality,
    ConsultationRound,
    Feedback,
    ResponseTemplate,
    RoundExtension,
    Source,
    Status,
    Workshop,
)
from feedback.targets import Target
from modules.models import Edition, Module, Section

TEXTS = ("summary_en", "summary_ru", "response_en", "response_ru")


def read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open("rb") as handle:
        entries = tomllib.load(handle).get("feedback", [])
    for position, entry in enumerate(entries, start=1):
        entry["position"] = position
    return entries


def _place(entry: dict) -> dict:
    section = Section.objects.filter(key=entry["section"]).first() if "section" in entry else None
    module = section.module if section else None
    if module is None and "module" in entry:
        module = Module.objects.get(slug=entry["module"])
    return {
        "module": module,
        "section": section,
        "section_key": section.key if section else "",
        "section_number": section.number if section else "",
        "paragraph": entry.get("paragraph") if section else None,
    }


def receive(entries: list[dict], *, read_in: str) -> None:
    """Record the items whose contributors read edition ``read_in``."""
    edition = Edition.objects.get(number=read_in)
    for entry in entries:
        if entry["read_in"] != read_in:
            continue
        data = {name: _text(entry.get(name, "")) for name in services.CONTRIBUTION_FIELDS}
        data["may_name"], data["publishable"] = entry["may_name"], entry["publishable"]
        place = _place(entry)
        received_on = entry["received_on"]
        if entry.get("source", Source.WEB) == Source.WEB:
            item, _created = services.feedback_submit(
                data=data, language=entry["language"], edition=edition,
                target=Target(**place), received_on=received_on, notify=False,
            )  # fmt: skip
        else:
            place.pop("section_key"), place.pop("section_number")
            workshop = Workshop.objects.get(slug=entry["workshop"]) if "workshop" in entry else None
            item = services.feedback_record(
                user=None, source=entry["source"], source_detail=entry.get("source_detail", ""),
                received_on=received_on, edition=edition, language=entry["language"],
                workshop=workshop, **data, **place,
            )  # fmt: skip
        moment = timezone.make_aware(datetime.datetime.combine(received_on, datetime.time(9)))
        # Sent while a (past) round on this edition was open: part of it, as it would have been.
        consultation = (
            ConsultationRound.objects.covering(edition, place["module"]).open_at(moment).first()
        )
        Feedback.objects.filter(pk=item.pk).update(created_at=moment, round=consultation)
        item.events.update(at=moment)
        entry["pk"] = item.pk


def decide(entries: list[dict], *, before: str | None) -> None:
    """Take the decisions due before edition ``before`` (None: after the last edition)."""
    by_position = {e["position"]: e for e in entries}
    for entry in entries:
        status = entry["status"]
        if (
            entry.get("decided_before") != before
            or status in (Status.RECEIVED, "")
            or "pk" not in entry
        ):
            continue
        item = Feedback.objects.get(pk=entry["pk"])
        Feedback.objects.filter(pk=item.pk).update(**{t: _text(entry.get(t, "")) for t in TEXTS})
        duplicate_of = None
        if status == Status.DUPLICATE:
            duplicate_of = Feedback.objects.get(pk=by_position[entry["duplicate_of"]]["pk"])
        services.feedback_set_status(
            feedback=item, status=status, user=None, duplicate_of=duplicate_of, notify=False
        )
        if entry.get("redacted_comment"):
            services.feedback_set_publication(
                feedback=item, user=None, confidentiality=Confidentiality.REDACTED,
                redacted_comment=_text(entry["redacted_comment"]),
            )  # fmt: skip
        if status in ACCEPTED_STATUSES and entry.get("addressed") and item.section is not None:
            services.feedback_mark_addressed(section=item.section, items=[item], user=None)


def _text(value):
    return value.strip() if isinstance(value, str) else value


ROUND_TEXTS = ("title_en", "title_ru", "description_en", "description_ru", "contact_email")


def read_rounds(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open("rb") as handle:
        return tomllib.load(handle).get("round", [])


def record_past_rounds(entries: list[dict], *, edition: str) -> None:
    """The past rounds on edition ``edition`` (those with an ``edition`` and dates), recorded
    as they ran: the services refuse dates in the past, as they should for an editor, so the
    demonstration writes them as the secretariat's records of what happened."""
    on_edition = Edition.objects.get(number=edition)
    for entry in entries:
        if entry.get("edition") != edition:
            continue
        consultation = ConsultationRound(
            edition=on_edition, whole_text=True, opens_at=entry["opens_at"],
            closes_at=entry.get("extended_to", entry["closes_at"]),
            late_comments=entry.get("late_comments", "refuse"),
            **{name: entry[name].strip() for name in ROUND_TEXTS},
        )  # fmt: skip
        consultation.full_clean()
        consultation.save()
        if "extended_to" in entry:
            extension = RoundExtension(
                round=consultation, closes_at_before=entry["closes_at"],
                closes_at=entry["extended_to"],
                reason_en=entry["extension_reason_en"], reason_ru=entry["extension_reason_ru"],
            )  # fmt: skip
            extension.full_clean()
            extension.save()
            RoundExtension.objects.filter(pk=extension.pk).update(
                extended_at=entry["closes_at"] - datetime.timedelta(days=10)
            )


def open_rounds(entries: list[dict]) -> None:
    """The demonstration rounds to come (those without an ``edition``) on the current
    edition, dated from now, opened as an editor would."""
    now = timezone.now()
    edition = Edition.objects.current()
    if edition is None:
        return
    for entry in entries:
        if "edition" in entry:
            continue
        opens = now + datetime.timedelta(days=entry.get("opens_in_days", 0))
        services.round_open(
            edition=edition, opens_at=opens,
            closes_at=opens + datetime.timedelta(days=entry["open_for_days"]),
            whole_text=True, late_comments=entry.get("late_comments", "refuse"),
            **{name: entry[name] for name in ROUND_TEXTS},
        )  # fmt: skip


TEMPLATE_FIELDS = ("title_en", "title_ru", "status", "response_en", "response_ru")


def load_templates(path: Path) -> None:
    """The demonstration response templates offered on the triage desk."""
    if not path.exists():
        return
    with path.open("rb") as handle:
        entries = tomllib.load(handle).get("template", [])
    for entry in entries:
        template = ResponseTemplate(
            **{name: _text(entry.get(name, "")) for name in TEMPLATE_FIELDS}
        )
        template.full_clean()
        template.save()


WORKSHOP_FIELDS = (
    "slug", "title_en", "title_ru", "region_en", "region_ru", "starts_on", "ends_on", "virtual",
    "place_en", "place_ru", "organisers_en", "organisers_ru", "states",
)  # fmt: skip


def read_workshops(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open("rb") as handle:
        return tomllib.load(handle).get("workshop", [])


def record_workshops(entries: list[dict], *, edition: str) -> None:
    """The demonstration workshops that discussed edition ``edition``, recorded as an editor
    would, before the comments made there are received."""
    discussed = Edition.objects.get(number=edition)
    for entry in entries:
        if entry["edition"] != edition:
            continue
        workshop = Workshop(
            edition=discussed, **{name: _text(entry[name]) for name in WORKSHOP_FIELDS}
        )
        workshop.full_clean()
        workshop.save()
