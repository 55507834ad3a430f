from modules.models import EDITION_NUMBER_RE


class EditionNumberConverter:
    """An edition number such as 1.0 or 2.13 (no leading zeros)."""

    regex = EDITION_NUMBER_RE

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


class CitationFormatConverter:
    """The file type of a citation: bib (BibTeX), ris (RIS) or json (CSL-JSON)."""

    regex = "bib|ris|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)
