"""Edition numbers: MAJOR.MINOR."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EDITION_NUMBER_RE = r"(?:0|[1-9][0-9]{0,2})\.(?:0|[1-9][0-9]{0,2})"


def parse_edition_number(number: str) -> tuple[int, int]:
    """Split "1.10" into (1, 10); ValidationError for anything else."""
    if not re.fullmatch(EDITION_NUMBER_RE, number or ""):
        raise ValidationError(
            _("An edition number has the form MAJOR.MINOR, for example 1.2 or 2.0."),
            code="invalid",
        )
    major, minor = number.split(".")
    return int(major), int(minor)
