"""What a backup holds and what a restored database is checked for, read from the apps'
tables: the numbers a backup holds, content already there, each edition's text against its
fingerprint, PDFs to build again. The only part of the backups that knows the apps' models."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.backends.base.base import BaseDatabaseWrapper
from reversion.models import Version

from feedback.models import Feedback, FeedbackEvent
from modules.models import Edition, EditionPDF, EditionSection, Module, PDFStatus, Section
from modules.snapshots import edition_fingerprint


@dataclass(frozen=True)
class EditionCheck:
    """An edition's stored fingerprint against the one recomputed from its frozen text."""

    number: str
    stored: str
    recomputed: str
    altered_sections: list[str]  # keys whose text no longer matches their text hash

    @property
    def ok(self) -> bool:
        return self.stored == self.recomputed and not self.altered_sections


def content_present(connection: BaseDatabaseWrapper) -> list[str]:
    """What the database already holds that a restore would replace (empty list: nothing).

    A database with the portal's tables but none of its content, as `migrate` leaves it, is
    empty: restoring into it loses nothing.
    """
    tables = set(connection.introspection.table_names())
    return [
        str(model._meta.verbose_name_plural)
        for model in (Edition, Module, Section, Feedback, get_user_model())
        if model._meta.db_table in tables
        and model._default_manager.using(connection.alias).exists()
    ]


def check_editions(*, using: str = "default") -> list[EditionCheck]:
    """Recompute every edition's fingerprint, and every section's text hash, from the frozen
    text, and set them against the stored values."""
    checks = []
    for edition in Edition.objects.using(using).order_by("major", "minor"):
        modules = list(edition.modules.all())
        sections = list(edition.sections.all())
        altered = [
            section.key
            for section in sections
            if section.text_hash
            != EditionSection.compute_text_hash(
                title_en=section.title_en,
                title_ru=section.title_ru,
                body_en=section.body_en,
                body_ru=section.body_ru,
            )
        ]
        checks.append(
            EditionCheck(
                number=edition.number,
                stored=edition.text_fingerprint,
                recomputed=edition_fingerprint(modules, sections),
                altered_sections=altered,
            )
        )
    return checks


def pdfs_to_rebuild(*, using: str = "default") -> list[str]:
    """Editions with a PDF recorded as ready whose file is not in MEDIA_ROOT (PDFs are not in
    backups)."""
    ready = (
        EditionPDF.objects.using(using)
        .filter(status=PDFStatus.READY)
        .select_related("edition")
        .order_by("edition__major", "edition__minor")
    )
    numbers: list[str] = []
    for pdf in ready:
        missing = not pdf.file or not pdf.file.storage.exists(pdf.file.name)
        if missing and pdf.edition.number not in numbers:
            numbers.append(pdf.edition.number)
    return numbers


@dataclass(frozen=True)
class Contents:
    """What a backup (or a restored database) holds, in numbers an operator can compare."""

    editions: list[tuple[str, str]]  # (number, text fingerprint), oldest first
    feedback: int
    feedback_events: int
    versions: int  # versions of draft modules and sections (django-reversion)


def read_contents(cursor) -> Contents:
    """Count what a database holds with plain SQL, so that the same code reads the backup
    file itself (SQLite) or the snapshot pg_dump read (PostgreSQL)."""

    def table(model) -> str:
        return f'"{model._meta.db_table}"'

    # Table names come from the models, never from input.
    cursor.execute(f"SELECT number, text_fingerprint FROM {table(Edition)} ORDER BY major, minor")  # noqa: S608  # nosec B608
    editions = [(number, fingerprint) for number, fingerprint in cursor.fetchall()]
    counts = []
    for model in (Feedback, FeedbackEvent, Version):
        cursor.execute(f"SELECT COUNT(*) FROM {table(model)}")  # noqa: S608  # nosec B608
        counts.append(cursor.fetchone()[0])
    feedback, events, versions = counts
    return Contents(editions=editions, feedback=feedback, feedback_events=events, versions=versions)
