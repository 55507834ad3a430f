"""CSV downloads that are safe to open in a spreadsheet.

A cell that starts with =, +, -, @, a tab or a carriage return is a formula to Excel and
LibreOffice (CSV injection): such cells get a leading apostrophe, which spreadsheets show as
text.
"""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: Iterable, rows: Iterable[Iterable]
) -> StreamingHttpResponse:
    """Stream rows as UTF-8 CSV (with a byte-order mark, so Excel reads Cyrillic)."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([safe_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
