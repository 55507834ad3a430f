"""Public feedback pages: the form, the contributor's tracking page, the response to comments.

The form page is never cached, and its POST does not depend on a CSRF cookie: the browser's
Sec-Fetch-Site and Origin headers prove the form came from this site (see
guidelines_portal.abuse), so a page served from a cache to a first-time visitor still works.
"""

import datetime
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.gzip import gzip_page

from feedback import comment_table as comment_tables
from feedback import disposition, report_pdf, selectors, services, xlsx
from feedback.csv import csv_response
from feedback.forms import AnswerForm, FeedbackForm
from feedback.models import ConsultationRound, Feedback, tracking_path
from feedback.targets import EditionParts, edition_modules, is_section
from guidelines_portal import public_address
from guidelines_portal.abuse import client_ip, is_same_origin_post, rate_limited, rate_refund
from guidelines_portal.page_store import stored_page
from guidelines_portal.params import positive_int
from modules import selectors as content
from modules.models import Edition

security_log = logging.getLogger("guidelines_portal.security")


def _paragraph(value: str | None) -> int | None:
    return positive_int(value, maximum=999)


def _render_form(
    request, parts, form, current, *, status: int = 200, error: str = "", rounds: bool = True
):
    """The form page; ``rounds``: say which consultation rounds are open (and remember, in
    the form, that they were shown: see _submit)."""
    open_rounds = selectors.open_rounds(parts.edition, timezone.now()) if rounds else []
    context = {
        "open_rounds": open_rounds,
        "rounds_shown": _rounds_token([r.pk for r in open_rounds]) if open_rounds else "",
        "form": form,
        "edition": parts.edition,
        "current_edition": current,
        "modules": parts.modules if parts.edition == current else edition_modules(current),
        "paragraph": form["paragraph"].value(),
        "form_fields": form.fields_html(),
        "error": error,
    }
    return render(request, "feedback/form.html", context, status=status)


@never_cache
@csrf_exempt  # checked by is_same_origin_post() instead; see the module docstring
def feedback_form(request: HttpRequest) -> HttpResponse:
    reading = content.get_reading(request.GET.get("edition") or None, modules=edition_modules)
    parts, current = EditionParts(reading.edition), reading.current
    if request.method == "POST":
        return _submit(request, parts, current)
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    about = parts.value_for(
        module=request.GET.get("module", "")[:80], section=request.GET.get("section", "")[:80]
    )
    paragraph = _paragraph(request.GET.get("paragraph")) if is_section(about) else None
    form = FeedbackForm(about=parts.offer, initial={"about": about, "paragraph": paragraph})
    return _render_form(request, parts, form, current)


def _submit(request: HttpRequest, parts: EditionParts, current: Edition) -> HttpResponse:
    form = FeedbackForm(request.POST, about=parts.offer)
    if not is_same_origin_post(request):
        security_log.warning("Feedback form posted from another site refused")
        message = _(
            "For your security, this form can only be sent from this site's own page. Your "
            "text is kept below: please check it and send it again."
        )
        return _render_form(request, parts, form, current, status=403, error=message)
    if form.is_robot:
        security_log.warning("Feedback honeypot filled: submission dropped")
        return render(request, "feedback/thanks.html", content.get_navigation())
    if not form.is_valid():
        return _render_form(request, parts, form, current, status=400)
    data = form.cleaned_data
    target = parts.target(data["about"], data["paragraph"])
    counted = _count_submission(request, data["email"])
    if counted and not selectors.already_submitted(
        section_key=target.section_key, paragraph=target.paragraph, data=data
    ):
        message = _(
            "You have sent many comments in a short time. Please wait an hour and send this "
            "one again: your text is kept below."
        )
        return _render_form(request, parts, form, current, status=429, error=message)
    verdict = selectors.round_for_comment(
        edition=parts.edition, module=target.module, at=timezone.now(),
        shown=_shown_rounds(request.POST.get("rounds", "")),
    )  # fmt: skip
    # A double click or a retry of a comment already kept gets its receipt, never a refusal.
    if verdict.refused_by is not None and not selectors.already_submitted(
        section_key=target.section_key, paragraph=target.paragraph, data=data
    ):
        _refund_submission(request, data["email"])
        message = _(
            "The consultation round “%(title)s” closed on %(deadline)s, before your comment "
            "arrived, and it does not take late comments. Your text is kept below: send it "
            "again and it will be considered for a later revision of the guidelines, outside "
            "that round."
        ) % {"title": verdict.refused_by.title, "deadline": _deadline(verdict.refused_by)}
        return _render_form(request, parts, form, current, status=409, error=message, rounds=False)
    feedback, created = services.feedback_submit(
        data=data,
        language=get_language(),
        edition=parts.edition,
        target=target,
        form_nonce=data["nonce"],
        consultation=verdict.consultation,
        late=verdict.late,
    )
    if not created:  # a double click, a reload or a retry is not another comment
        _refund_submission(request, data["email"])
    resent = data["nonce"] and feedback.form_nonce == data["nonce"]
    if created or (resent and not selectors.receipt_links_exhausted(feedback)):
        # The receipt is the tracking page (a resubmitted form lands there too, with a link
        # of its own: only digests of the links are stored).
        token = services.feedback_tracking_link(feedback=feedback)
        return redirect(f"{tracking_path(token)}?received=1")
    # The same comment from the same address, from another form: say so, without the link.
    context = {"feedback": feedback, **content.get_navigation()}
    return render(request, "feedback/already_received.html", context)


ROUNDS_SALT = "feedback.rounds-shown"
# A form opened longer ago than this says nothing about the rounds it showed.
ROUNDS_SHOWN_MAX_AGE = 7 * 24 * 3600


def _rounds_token(ids: list[int]) -> str:
    """The rounds a form page names as open, signed with the moment it was rendered: only
    this site can say a form was opened before a round's deadline."""
    return signing.dumps({"rounds": ids, "at": timezone.now().timestamp()}, salt=ROUNDS_SALT)


def _shown_rounds(value: str) -> dict[int, datetime.datetime]:
    """{round id: when the form naming it open was rendered}, from the form's signed field;
    empty when it is missing, altered or too old."""
    try:
        shown = signing.loads(value, salt=ROUNDS_SALT, max_age=ROUNDS_SHOWN_MAX_AGE)
        at = datetime.datetime.fromtimestamp(float(shown["at"]), tz=datetime.UTC)
        return {int(pk): at for pk in shown["rounds"][:20]}
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        return {}


def _deadline(consultation: ConsultationRound) -> str:
    closes = timezone.localtime(consultation.closes_at, datetime.UTC)
    return f"{date_format(closes, 'DATETIME_FORMAT')} UTC"


RATE_SCOPES = ("feedback-ip", "feedback-email")


def _rate_identities(request: HttpRequest, email: str) -> tuple[str, str]:
    return client_ip(request), email.lower()


def _count_submission(request: HttpRequest, email: str) -> bool:
    """Count a submission against its address and its e-mail; True when either is over."""
    limit = {"limit": settings.FEEDBACK_RATE_LIMIT, "window": settings.FEEDBACK_RATE_WINDOW}
    identities = _rate_identities(request, email)
    over = [rate_limited(s, i, **limit) for s, i in zip(RATE_SCOPES, identities, strict=True)]
    return any(over)


def _refund_submission(request: HttpRequest, email: str) -> None:
    for scope, identity in zip(RATE_SCOPES, _rate_identities(request, email), strict=True):
        rate_refund(scope, identity)


@never_cache
@csrf_exempt  # checked by is_same_origin_post(): with "Referrer-Policy: no-referrer" (below),
# browsers send "Origin: null", which Django's CSRF check refuses
def track(request: HttpRequest, token: str) -> HttpResponse:
    """The contributor's private page: status, history, response and the change it made."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    editions = content.get_editions()
    feedback = selectors.tracked_item(token, editions)
    if feedback is None:
        raise Http404  # says nothing about why
    status, error = 200, ""
    form = AnswerForm(initial={"reply": feedback.answer_text})
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if not is_same_origin_post(request):
            security_log.warning("Answer to a decision posted from another site refused")
            status, error = (
                403,
                _(
                    "For your security, this form can only be sent from this site's own page. "
                    "Your text is kept below: please check it and send it again."
                ),
            )
        elif form.is_valid():
            try:
                services.feedback_answer(
                    feedback=feedback, satisfied=form.cleaned_data["satisfied"],
                    text=form.cleaned_data["reply"],
                )  # fmt: skip
            except ValidationError as refusal:
                status, error = 409, " ".join(refusal.messages)
            else:
                return redirect(f"{request.path}?answered=1")
        else:
            status = 400
    context = {
        "feedback": feedback,
        "history": selectors.public_history(feedback),
        "change_url": selectors.change_url(feedback, content.previous_editions(editions)),
        "just_received": request.GET.get("received") == "1",
        "just_answered": request.GET.get("answered") == "1",
        "answer_form": form,
        "answer_error": error,
        **content.navigation(editions[0] if editions else None, modules=edition_modules),
    }
    response = render(request, "feedback/track.html", context, status=status)
    # The token is in the URL: never pass it on, never index it.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _responses(edition_number: str) -> tuple[Edition, list[Edition], list, int]:
    editions = list(Edition.objects.published())
    edition = next((e for e in editions if e.number == edition_number), None)
    if edition is None:
        raise Http404(_("There is no edition %(number)s.") % {"number": edition_number})
    items = selectors.response_items(edition)
    rows = selectors.response_rows(edition, items, editions)
    unpublished = Feedback.objects.filter(responded_in=edition).count() - len(items)
    return edition, editions, rows, unpublished


@stored_page
def responses(request: HttpRequest, edition: str) -> HttpResponse:
    """An edition's response to comments: every publishable decision it carries."""
    page_edition, editions, rows, unpublished = _responses(edition)
    context = {
        "edition": page_edition,
        "current_edition": editions[0],
        "modules": content.get_edition_modules(editions[0]),
        "rows": rows,
        "unpublished": unpublished,
        "counts": selectors.decision_counts(rows),
    }
    return render(request, "feedback/responses.html", context)


def responses_csv(request: HttpRequest, edition: str) -> StreamingHttpResponse:
    page_edition, _editions, rows, _unpublished = _responses(edition)
    base = public_address.base_url()
    return csv_response(
        f"TG-2370_ed{page_edition.number}_responses_{get_language()}.csv",
        selectors.RESPONSE_COLUMNS,
        (row.as_csv(base) for row in rows),
    )


def comment_table(request: HttpRequest, edition: str, module: str = "") -> HttpResponse:
    """The kit's comment table for an edition (or one of its modules), in the reader's
    language: a published edition never changes, so neither does its table."""
    found = Edition.objects.filter(number=edition).first()
    if found is None:
        raise Http404(_("There is no edition %(number)s.") % {"number": edition})
    chosen = content.get_module(content.get_edition_modules(found), module) if module else None
    lang = get_language() or settings.LANGUAGE_CODE
    response = HttpResponse(
        comment_tables.comment_table(found, lang, chosen), content_type=xlsx.XLSX
    )
    part = f"_{chosen.code}" if chosen else ""
    name = f"TG-2370_ed{found.number}_{lang}{part}_comment-table.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    patch_cache_control(response, public=True, max_age=3600)
    return response


def rounds(request: HttpRequest) -> HttpResponse:
    """Consultation rounds: open, upcoming and closed."""
    context = {"rounds": selectors.public_rounds(timezone.now()), **content.get_navigation()}
    return render(request, "feedback/rounds.html", context)


def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One round: what it is about, its dates (and extensions), how to take part."""
    consultation = selectors.public_round(pk)
    if consultation is None:
        raise Http404(_("There is no such consultation round."))
    now = timezone.now()
    modules = list(consultation.modules.all())
    context = {
        "consultation": consultation,
        "is_open": consultation.is_open_at(now),
        "is_upcoming": consultation.opens_at > now,
        "round_modules": modules,
        # Comment on the only module a round covers, else on the edition as a whole.
        "comment_module": modules[0].slug if len(modules) == 1 else "",
        **content.get_navigation(),
    }
    return render(request, "feedback/round.html", context)


def workshops(request: HttpRequest) -> HttpResponse:
    """The regional workshops recorded, latest first."""
    context = {"workshops": selectors.public_workshops(), **content.get_navigation()}
    return render(request, "feedback/workshops.html", context)


@gzip_page
def workshop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One workshop: when, where, who, and what became of the comments made there."""
    workshop = selectors.public_workshop(slug)
    if workshop is None:
        raise Http404(_("There is no such workshop."))
    report = disposition.workshop_report(workshop, list(Edition.objects.published()))
    context = {
        "workshop": workshop,
        "report": report,
        "states": sorted(workshop.states, key=lambda country: country.name),
        **content.get_navigation(),
    }
    return render(request, "feedback/workshop.html", context)


def _disposition(
    request: HttpRequest, pk: int
) -> tuple[disposition.Disposition, list[Edition]] | HttpResponse:
    """A round's disposition report and every published edition, or the page saying the
    reader asked too often: a report of thousands of comments is read whole, so one address
    gets as many as it gets searches."""
    consultation = disposition.round_with_edition(pk)
    if consultation is None:
        raise Http404(_("There is no such consultation round."))
    window = settings.SEARCH_RATE_WINDOW
    if rate_limited(
        "report-ip", client_ip(request), limit=settings.SEARCH_RATE_LIMIT, window=window
    ):
        context = {"consultation": consultation, **content.get_navigation()}
        response = render(request, "feedback/too_often.html", context, status=429)
        response["Retry-After"] = str(window)
        return response
    editions = list(Edition.objects.published())
    return disposition.round_disposition(consultation, editions), editions


@gzip_page
def round_disposition(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's disposition report: every comment whose decision is published, by module
    and section, with the counts and charts. Compressed: thousands of rows make megabytes of
    HTML, and the page holds no secret and echoes nothing the reader sent (no BREACH)."""
    found = _disposition(request, pk)
    if isinstance(found, HttpResponse):
        return found
    report, editions = found
    consultation = report.consultation
    current = editions[0]

    def current_modules(edition: Edition) -> list:
        # The edition under consultation's modules, already read, when it is the current one.
        return report.modules if edition.pk == consultation.edition_id else (
            content.get_edition_modules(edition)
        )  # fmt: skip

    context = {
        "report": report,
        "consultation": consultation,
        "outcomes": list(disposition.OUTCOMES.items()),
        "is_open": consultation.is_open_at(timezone.now()),
        **content.navigation(current, modules=current_modules),
    }
    return render(request, "feedback/disposition.html", context)


def round_disposition_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The disposition report as a workbook, in the reader's language."""
    found = _disposition(request, pk)
    if isinstance(found, HttpResponse):
        return found
    report, _editions = found
    lang = get_language() or settings.LANGUAGE_CODE
    content_bytes = xlsx.disposition_workbook(
        report, base_url=public_address.base_url(), language=lang
    )
    response = HttpResponse(content_bytes, content_type=xlsx.XLSX)
    name = f"TG-2370_round-{pk}_disposition_{lang}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def round_disposition_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The disposition report as a PDF in the reader's language: the file for the report as
    it stands, or (202) the page saying the worker is preparing it."""
    found = _disposition(request, pk)
    if isinstance(found, HttpResponse):
        return found
    report, editions = found
    lang = get_language() or settings.LANGUAGE_CODE
    name = report_pdf.file_name(report, lang)
    try:
        # Opened straight away: a file replaced since it was looked for is simply built again.
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        handle = None
    if handle is not None:
        response = FileResponse(
            handle, content_type="application/pdf", filename=report_pdf.download_name(pk, lang)
        )
        response["ETag"] = f'"{name.rsplit("_", 1)[-1].removesuffix(".pdf")}"'
        # The same address gives a newer file once more decisions are published.
        patch_cache_control(response, public=True, max_age=300)
        return response
    report_pdf.request_build(report.consultation.pk, lang, name)
    context = {"consultation": report.consultation, **content.navigation(editions[0])}
    pending = render(request, "feedback/report_pending.html", context, status=202)
    pending["Retry-After"] = "10"
    patch_cache_control(pending, no_store=True)
    return pending
