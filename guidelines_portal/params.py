"""Reading numbers from URLs and query strings without trusting them.

``str.isdigit()`` is true for "²" and "①", which ``int()`` refuses, and a 30-digit id
overflows SQLite's integers: both used to end in a 500. Every id or number the portal takes
from a request goes through ``positive_int``.
"""

import re

ASCII_DIGITS = re.compile(r"[0-9]{1,18}")
# The largest value every database the portal runs on stores in a 64-bit integer column.
MAX_ID = 2**63 - 1


def positive_int(value: object, *, maximum: int = MAX_ID) -> int | None:
    """``value`` as an integer from 1 to ``maximum`` when it is written in ASCII digits,
    else None."""
    if not isinstance(value, str) or not ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= maximum else None


def has_nul(value: str) -> bool:
    """NUL is never meaningful in a URL, and PostgreSQL refuses it in any text."""
    return "\x00" in value
