"""Section numbers and module codes as readers of each language see them.

Numbers and codes are identifiers: stored once ("Annex 2", "ANX"), compared, linked and cited
as they are. Where they are shown, a word in them is an English word, so it is shown in the
reader's language from the translation catalogue: "Annex 2" reads «Приложение 2» and "ANX"
«ПРИЛ» on Russian pages, PDFs and files. A prefix or code with no translation is shown as
stored (a letter such as "B." needs none).
"""

import datetime

from django.utils import timezone
from django.utils.translation import pgettext_lazy

# The document's code at the start of every file name readers download (PDF, EPUB).
DOCUMENT_CODE = "TG-2370"

# Words an editor may put before section numbers (Module.number_prefix), and module codes:
# listed here so that the translation catalogue has them.
NUMBER_WORDS = {
    "Annex": pgettext_lazy("section number prefix", "Annex"),
    "Appendix": pgettext_lazy("section number prefix", "Appendix"),
    "Part": pgettext_lazy("section number prefix", "Part"),
    "Chapter": pgettext_lazy("section number prefix", "Chapter"),
}
MODULE_CODES = {
    "GEN": pgettext_lazy("module code", "GEN"),
    "SALW": pgettext_lazy("module code", "SALW"),
    "IED": pgettext_lazy("module code", "IED"),
    "UAS": pgettext_lazy("module code", "UAS"),
    "ANX": pgettext_lazy("module code", "ANX"),
}


def section_number(number: str) -> str:
    """ "Annex 2" in the active language ("Приложение 2"); "B.1.2" as it is."""
    word, space, rest = (number or "").partition(" ")
    if space and word in NUMBER_WORDS:
        return f"{NUMBER_WORDS[word]} {rest}"
    return number or ""


def module_code(code: str) -> str:
    """A module's code in the active language ("ANX" reads «ПРИЛ»)."""
    return str(MODULE_CODES[code]) if code in MODULE_CODES else code or ""


def utc_moment(moment: datetime.datetime) -> str:
    """A moment as the back office states it, the same in both languages: 2026-12-05 14:30 UTC
    (readers' pages show their own time beside it)."""
    return timezone.localtime(moment, datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
