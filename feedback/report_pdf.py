"""A consultation round's disposition report as a PDF (WeasyPrint, A4 landscape, tagged
PDF/UA as the edition PDFs are), built by the worker and kept as a file.

A report changes while decisions are published and answers come in, so its file is named by
a fingerprint of what it shows (every listed row, the counts, the round's texts, in the
language, and the code release): the reader gets the file that matches the report as it
stands, or the page saying it is being prepared while the worker builds it. After a build,
the files of every state but the current one are deleted.
"""

import datetime
import hashlib
import json
import logging

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from feedback.disposition import OUTCOMES, Disposition
from guidelines_portal import public_address
from guidelines_portal.page_store.store import release

log = logging.getLogger(__name__)
FOLDER = "reports"
# While a build is queued, readers asking again queue nothing more (a failed build is asked
# for again once this has passed).
QUEUED_SECONDS = 600


def _state(report: Disposition, language: str) -> str:
    consultation = report.consultation
    rows = [
        [
            row.feedback.reference, row.section_label, row.paragraph_label,
            row.feedback.public_contributor, str(row.feedback.get_kind_display()),
            row.comment_text, row.proposed_text, row.feedback.public_decision,
            row.feedback.response, row.feedback.answer, row.change_url, row.feedback.late,
        ]
        for row in report.rows
    ]  # fmt: skip
    charts = [
        [[bar.label, list(bar.counts.values())] for bar in chart.bars]
        for chart in (report.by_module, report.by_category)
    ]
    return json.dumps(
        [
            release(), language, consultation.pk, consultation.title, consultation.edition.number,
            consultation.opens_at.isoformat(), consultation.closes_at.isoformat(),
            report.counted, report.late, report.unlisted, rows, charts,
        ],
        ensure_ascii=False, default=str,
    )  # fmt: skip


def file_name(report: Disposition, language: str) -> str:
    """Where the PDF of the report as it stands now, in ``language``, is (or will be) kept."""
    digest = hashlib.sha256(_state(report, language).encode()).hexdigest()[:20]
    return f"{FOLDER}/{_prefix(report.consultation.pk, language)}{digest}.pdf"


def _prefix(round_id: int, language: str) -> str:
    return f"TG-2370_round-{round_id}_disposition_{language}_"


def download_name(round_id: int, language: str) -> str:
    return f"TG-2370_round-{round_id}_disposition_{language}.pdf"


def render(report: Disposition, language: str) -> bytes:
    """The report as PDF bytes (the WeasyPrint work: seconds for hundreds of comments)."""
    from weasyprint import HTML  # half a second to import: only where PDFs are made

    from modules.pdf import STATIC_BASE, AccessibilityFinisher, SiteOnlyURLFetcher

    consultation = report.consultation
    moment = "%Y-%m-%d %H:%M UTC"
    with translation.override(language):
        context = {
            "report": report,
            "consultation": consultation,
            "outcomes": list(OUTCOMES.items()),
            "charts": [
                (
                    translation.gettext("Comments by module and decision"),
                    translation.gettext("Module"),
                    report.by_module,
                ),
                (
                    translation.gettext("Comments by category of submitter and decision"),
                    translation.gettext("Submitter category"),
                    report.by_category,
                ),
            ],
            "opens": consultation.opens_at.astimezone(datetime.UTC).strftime(moment),
            "closes": consultation.closes_at.astimezone(datetime.UTC).strftime(moment),
            "generated": timezone.now().astimezone(datetime.UTC),
            "base_url": public_address.base_url(),
            "address": public_address.base_url() + report.address,
            "language": language,
            "language_name": translation.get_language_info(language)["name_local"],
            "static_base": STATIC_BASE,
        }
        html = render_to_string("pdf/round_report.html", context)
    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=SiteOnlyURLFetcher())
    return document.write_pdf(
        pdf_variant="pdf/ua-1", finisher=AccessibilityFinisher(labels={}, language=language)
    )


def build(report: Disposition, language: str) -> str:
    """Write the PDF of ``report`` unless the file is there already. Returns its name."""
    name = file_name(report, language)
    if not default_storage.exists(name):
        content = render(report, language)
        saved = default_storage.save(name, ContentFile(content))
        if saved != name:  # another worker wrote the same state meanwhile: one is enough
            default_storage.delete(saved)
        log.info("Disposition report PDF written: %s (%s bytes)", name, len(content))
    cache.delete(_queued_key(name))  # asked for again, it may be queued again
    return name


def forget_others(round_id: int, language: str, current: str) -> None:
    """Delete the files of every other state of the report than ``current`` (the report as
    it stands after a build, which a slower build of an earlier state never removes)."""
    prefix = _prefix(round_id, language)
    _folders, files = default_storage.listdir(FOLDER)
    for other in files:
        if other.startswith(prefix) and f"{FOLDER}/{other}" != current:
            default_storage.delete(f"{FOLDER}/{other}")


def _queued_key(name: str) -> str:
    return f"feedback:report-pdf:{name}"


def request_build(round_id: int, language: str, name: str) -> None:
    """Ask the worker for this PDF, once while it is queued."""
    from feedback.tasks import build_round_report_pdf

    if cache.add(_queued_key(name), 1, QUEUED_SECONDS):
        transaction.on_commit(lambda: build_round_report_pdf.enqueue(round_id, language))
