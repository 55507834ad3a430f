"""Writes to the guidelines content: keyword-only, atomic, validated, versioned.

Every change to the working draft goes through a django-reversion revision, so changes made
here (by the admin, management commands or data migrations) all appear in the history.
Callers use ``from modules import services`` and the names below; each lives in the part of
the package that holds one kind of write:

- numbering: section numbers, places among siblings, when each language's text changed;
- draft: modules and sections created, changed, moved, deleted (and what the back office
  saves: section_save, module_update);
- restore: an old version put back (revert, recovery);
- editions: publishing an edition, correcting its date;
- schedule: an edition set to be published by the worker at a chosen moment;
- review: a section's change submitted for review, approved or sent back;
- translation_import: Russian texts from XLIFF written into the draft.
"""

from modules.services.draft import (
    module_create,
    module_delete,
    module_update,
    section_create,
    section_delete,
    section_move,
    section_save,
    section_shift,
    section_update,
    sections_delete,
)
from modules.services.editions import (
    draft_fingerprint,
    edition_correct_date,
    edition_number_suggestion,
    edition_publish,
    edition_publish_check,
)
from modules.services.numbering import (
    SECTION_TEXT_FIELDS,
    module_renumber,
    stamp_text_changes,
)
from modules.services.restore import section_revert, version_restore
from modules.services.review import section_authors, section_review_decide, section_submit
from modules.services.schedule import (
    edition_publish_due,
    edition_schedule,
    edition_schedule_cancel,
    editions_publish_due,
)
from modules.services.translation_import import TranslationImportReport, translation_import

__all__ = [
    "SECTION_TEXT_FIELDS",
    "TranslationImportReport",
    "draft_fingerprint",
    "edition_correct_date",
    "edition_number_suggestion",
    "edition_publish",
    "edition_publish_check",
    "edition_publish_due",
    "edition_schedule",
    "edition_schedule_cancel",
    "editions_publish_due",
    "module_create",
    "module_delete",
    "module_renumber",
    "module_update",
    "section_authors",
    "section_create",
    "section_delete",
    "section_move",
    "section_revert",
    "section_review_decide",
    "section_save",
    "section_shift",
    "section_submit",
    "section_update",
    "sections_delete",
    "stamp_text_changes",
    "translation_import",
    "version_restore",
]
