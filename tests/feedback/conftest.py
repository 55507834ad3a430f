"""Feedback builders: a valid form as a browser posts it, and items made through the services."""

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core import mail
from django.utils import translation

from feedback import models, services
from feedback.models import Feedback
from feedback.targets import Target
from modules.models import Edition, Section

ORIGIN = {"HTTP_ORIGIN": "http://testserver"}


def form_data(**overrides) -> dict:
    """The feedback form filled in as a Member State official would."""
    data = {
        "about": "section:salw-marking",
        "paragraph": "",
        "kind": "technical",
        "comment": "Marking of polymer frames needs a metal insert.",
        "proposed_wording": "",
        "category": "state",
        "country": "KZ",
        "name": "Aigerim Sadykova",
        "organisation": "Ministry of Internal Affairs",
        "email": "aigerim@example.org",
        "publishable": "on",
        "nonce": "nonce-1",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def submit(client, url: str = "/en/feedback/", *, headers: dict | None = None, **overrides):
    return client.post(url, form_data(**overrides), **(ORIGIN if headers is None else headers))


def make_feedback(
    section_key: str = "salw-marking", *, email: str = "a@example.org", language: str = "en", **data
) -> Feedback:
    """An item submitted through the site about a section of the current edition."""
    section = Section.objects.select_related("module").get(key=section_key)
    paragraph = data.pop("paragraph", None)
    values = {
        "kind": "technical", "comment": f"A comment on {section_key}.",
        "category": "practitioner", "country": "NO", "name": "Kari Nordmann",
        "organisation": "", "email": email, "may_name": False, "publishable": True,
        **data,
    }  # fmt: skip
    item, _created = services.feedback_submit(
        data=values, language=language, edition=Edition.objects.current(),
        target=Target.of_section(section, paragraph), notify=False,
    )  # fmt: skip
    return item


@pytest.fixture
def outbox():
    mail.outbox.clear()
    return mail.outbox


def tracking_path(item: Feedback, language: str = "en") -> str:
    """A new private link to the item's tracking page (the database keeps only digests)."""
    token = services.feedback_tracking_link(feedback=item)
    with translation.override(language):
        return models.tracking_path(token)


def token_in(url: str) -> str:
    """The token of a tracking link, from a page address or an e-mail's text."""
    return re.search(r"/feedback/track/([^/]+)/", url).group(1)


def libreoffice_csv(workbook: Path) -> list[list[str]]:
    """The first sheet of ``workbook`` as LibreOffice headless converts it to CSV (UTF-8), in
    rows: how a spreadsheet program reads what the portal wrote."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail(
            "LibreOffice is missing: apt-get install libreoffice-calc-nogui (make test does it)"
        )
    folder = workbook.parent
    subprocess.run(  # LibreOffice on a file the test wrote
        [soffice, f"-env:UserInstallation=file://{folder}/profile", "--headless",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(folder),
         str(workbook)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    with workbook.with_suffix(".csv").open(encoding="utf-8") as handle:
        return list(csv.reader(handle))
