"""Guidelines content: the working draft (Module, Section) and published editions.

The working draft is translated with django-modeltranslation (see translation.py) and
versioned with django-reversion (see versioning.py). A published edition is a frozen copy
of the draft in plain columns (EditionModule, EditionSection), queryable for reading,
search and comparison; nothing changes it once it is written. Each part lives in its own
file; everything is imported from here (``from modules.models import Section``).
"""

from modules.models.draft import (
    Module,
    ModuleKind,
    ModuleQuerySet,
    Section,
    SectionQuerySet,
    SectionReplacement,
)
from modules.models.editions import (
    Edition,
    EditionCorrection,
    EditionModule,
    EditionQuerySet,
    EditionSection,
    EditionSectionQuerySet,
    ImmutableQuerySet,
    InsertedOnce,
    PublishedError,
)
from modules.models.language import LANGS, SOURCE_LANGUAGE, Localized, active_language
from modules.models.numbers import EDITION_NUMBER_RE, parse_edition_number
from modules.models.pdfs import EditionPDF, PDFStatus
from modules.models.review import ReviewStatus, SectionReview
from modules.models.schedule import (
    SCHEDULE_MARGIN,
    ScheduledPDF,
    ScheduledPublication,
    ScheduleStatus,
)

__all__ = [
    "EDITION_NUMBER_RE",
    "LANGS",
    "SCHEDULE_MARGIN",
    "SOURCE_LANGUAGE",
    "Edition",
    "EditionCorrection",
    "EditionModule",
    "EditionPDF",
    "EditionQuerySet",
    "EditionSection",
    "EditionSectionQuerySet",
    "ImmutableQuerySet",
    "InsertedOnce",
    "Localized",
    "Module",
    "ModuleKind",
    "ModuleQuerySet",
    "PDFStatus",
    "PublishedError",
    "ReviewStatus",
    "ScheduleStatus",
    "ScheduledPDF",
    "ScheduledPublication",
    "Section",
    "SectionQuerySet",
    "SectionReplacement",
    "SectionReview",
    "active_language",
    "parse_edition_number",
]
