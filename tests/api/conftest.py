import datetime

import pytest

from modules import services
from modules.models import Section
from tests.conftest import make_module, make_section, publish


@pytest.fixture
def editions(published):
    """1.0 -> 1.1: marking reworded (with a reason), legislation removed, disposal added
    (English only), a second module with a footnote; 1.1 is current."""
    marking = Section.objects.get(key="salw-marking")
    services.section_update(
        section=marking,
        title_en="Marking and records",
        body_en="Every weapon must be marked.[^1]\n\n[^1]: At import too.",
        body_ru="Каждая единица оружия должна быть маркирована.[^1]\n\n[^1]: Также при ввозе.",
        change_reason_en="Import marking added.",
        change_reason_ru="Добавлена маркировка при ввозе.",
    )
    services.section_delete(section=Section.objects.get(key="salw-legislation"))
    make_section(
        marking.module, "salw-disposal", title_en="Disposal", title_ru="", body_en="Destroy.",
        body_ru="",
    )  # fmt: skip
    uas = make_module("UAS", order=2, prefix="D.")
    make_section(uas, "uas-scope", title_en="Scope")
    return published, publish("1.1", on=datetime.date(2023, 5, 2))
