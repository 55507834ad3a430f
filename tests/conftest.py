"""Shared personas and content builders. Test data is built in code, never from fixtures/."""

import datetime
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import caches
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import (
    EDITORS,
    FEEDBACK_REVIEWERS,
    TRANSLATORS,
    ensure_editors_group,
    ensure_feedback_reviewers_group,
    ensure_translators_group,
)
from modules import services
from modules.models import Edition, Module, Section

PUBLIC_ADDRESS = "https://guidelines.test"


@pytest.fixture(autouse=True)
def _isolate_global_state(settings):
    """Each test starts in English with an empty cache, whatever the previous one did."""
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
    # Absolute addresses come from this setting, never from the request's host.
    settings.PORTAL_BASE_URL = PUBLIC_ADDRESS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every request renders its page: stored pages are tested, each test with its own folder,
    # in tests/test_page_store.py.
    settings.PAGE_STORE = False
    translation.activate("en")
    for cache in caches.all():
        cache.clear()
    yield
    translation.deactivate()
    for cache in caches.all():
        cache.clear()


def confirm_second_factor(client: Client, user: User) -> TOTPDevice:
    """Mark the client's session as confirmed with a code, as the two-step page does."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture(autouse=True)
def _staff_sign_in_is_complete(monkeypatch):
    """``client.force_login(staff)`` gives a fully signed-in session: password and code.

    The two-step sign-in itself is tested in tests/accounts; everywhere else a test signs in
    staff in one line, and the back office still runs with two-step sign-in required.
    """
    force_login = Client.force_login

    def force_login_with_code(self, user, backend=None):
        force_login(self, user, backend)
        if user.is_staff:
            confirm_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login_with_code)


# --- Personas --------------------------------------------------------------------------


def _user(username: str, *, staff: bool = False, groups: tuple[str, ...] = (), **extra) -> User:
    user = User.objects.create_user(
        username=username, password="correct horse battery staple", is_staff=staff, **extra
    )
    for name in groups:
        # ensure_*: a transactional test's flush may have emptied the migrations' groups.
        ensure = {
            EDITORS: ensure_editors_group,
            TRANSLATORS: ensure_translators_group,
            FEEDBACK_REVIEWERS: ensure_feedback_reviewers_group,
        }
        user.groups.add(ensure[name]() if name in ensure else Group.objects.get(name=name))
    return user


@pytest.fixture
def editor(db) -> User:
    """A CTED editor: staff, in the Editors group created by the migration."""
    return _user("editor", staff=True, groups=("Editors",))


@pytest.fixture
def translator(db) -> User:
    """Keeps the Russian text in step with the English: staff, in the Translators group."""
    return _user("translator", staff=True, groups=("Translators",))


@pytest.fixture
def reviewer(db) -> User:
    """Triages and answers feedback: staff, in the Feedback reviewers group."""
    return _user("reviewer", staff=True, groups=(FEEDBACK_REVIEWERS,), email="reviewer@example.org")


@pytest.fixture
def staff_without_permissions(db) -> User:
    """Can sign in to the back office but holds no permission on the guidelines."""
    return _user("clerk", staff=True)


@pytest.fixture
def reader(db) -> User:
    """A signed-in member of the public: not staff."""
    return _user("reader")


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser(
        "admin", "admin@example.org", "correct horse battery staple"
    )


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


# --- Content builders ------------------------------------------------------------------


def make_module(code: str = "SALW", *, order: int = 1, prefix: str = "B.", **texts) -> Module:
    slug = code.lower()
    defaults = {
        "title_en": f"{code} module",
        "title_ru": f"Модуль {code}",
        "short_title_en": code,
        "short_title_ru": code,
        "summary_en": f"Summary of **{code}**.",
        "summary_ru": f"Резюме модуля **{code}**.",
    }
    return services.module_create(
        code=code, slug=slug, kind="thematic", order=order, number_prefix=prefix,
        **{**defaults, **texts},
    )  # fmt: skip


def make_section(module: Module, key: str, *, parent: Section | None = None, **texts) -> Section:
    defaults = {
        "title_en": f"Title {key}",
        "title_ru": f"Заголовок {key}",
        "body_en": f"English body of {key}.",
        "body_ru": f"Русский текст раздела {key}.",
    }
    return services.section_create(module=module, key=key, parent=parent, **{**defaults, **texts})


def publish(number: str, *, on: datetime.date | None = None, **kwargs) -> Edition:
    return services.edition_publish(
        number=number,
        published_on=on or datetime.date(2024, 1, 1),
        change_summary_en=kwargs.pop("change_summary_en", f"Changes in {number}."),
        change_summary_ru=kwargs.pop("change_summary_ru", f"Изменения в издании {number}."),
        # Content built by the tests, as by a script: clearance is tested in test_review.py.
        clearance=kwargs.pop("clearance", False),
        **kwargs,
    )


def make_large_module(code: str, *, chapters: int, per_chapter: int) -> Module:
    """A module with chapters x per_chapter sub-sections, built in bulk (then renumbered)."""
    module = make_module(code)
    roots = Section.objects.bulk_create(
        Section(
            module=module, key=f"{code.lower()}-ch{c}", position=c,
            title_en=f"Chapter {c}", title_ru=f"Глава {c}",
            body_en=f"Chapter {c} text.", body_html_en=f"<p>Chapter {c} text.</p>",
        )
        for c in range(1, chapters + 1)
    )  # fmt: skip
    Section.objects.bulk_create(
        Section(
            module=module, parent=root, key=f"{root.key}-s{s}", position=s,
            title_en=f"Section {s}", title_ru=f"Раздел {s}",
            body_en=f"Section {s} text.", body_html_en=f"<p>Section {s} text.</p>",
        )
        for root in roots
        for s in range(1, per_chapter + 1)
    )  # fmt: skip
    services.module_renumber(module=module)
    return module


@pytest.fixture
def draft(db):
    """A small bilingual draft: one module, a chapter with two sub-sections, and a sibling."""
    module = make_module("SALW")
    chapter = make_section(module, "salw-upstream", title_en="Upstream measures")
    make_section(module, "salw-legislation", parent=chapter, title_en="Legislation")
    make_section(module, "salw-marking", parent=chapter, title_en="Marking")
    make_section(module, "salw-tracing", title_en="Tracing")
    return module


@pytest.fixture
def published(draft):
    """The small draft published as edition 1.0."""
    return publish("1.0", on=datetime.date(2022, 3, 18))


@pytest.fixture
def editions(published):
    """1.0 -> 1.1: marking reworded (with a reason and a footnote), legislation removed,
    disposal added (English only), a second module; 1.1 is current."""
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


def admin_change_url(section: Section) -> str:
    from django.urls import reverse

    return reverse("admin:modules_section_change", args=[section.pk])


def section_admin_form(section: Section, **overrides) -> dict:
    """The section change form as the admin posts it, with some values changed."""
    from guidelines_portal.edit_guard import edit_token
    from modules.forms import SECTION_GUARDED_FIELDS

    section.refresh_from_db()
    data = {
        "edit_token": edit_token(section, SECTION_GUARDED_FIELDS),
        "parent": section.parent_id or "",
        "position": section.position,
        "title_en": section.title_en,
        "title_ru": section.title_ru,
        "body_en": section.body_en,
        "body_ru": section.body_ru,
        "change_reason_en": section.change_reason_en or "",
        "change_reason_ru": section.change_reason_ru or "",
        "glossary_off": section.glossary_off,
    }
    return {**data, **overrides}


def module_admin_form(module: Module, **overrides) -> dict:
    """The module change form as the admin posts it, with some values changed."""
    from guidelines_portal.edit_guard import edit_token
    from modules.forms import MODULE_GUARDED_FIELDS

    module.refresh_from_db()
    data = {name: getattr(module, name) or "" for name in MODULE_GUARDED_FIELDS}
    return {**data, "edit_token": edit_token(module, MODULE_GUARDED_FIELDS), **overrides}


def deliver_queued_email() -> None:
    """Run the background worker over the e-mail queue until it is empty, as production's
    `db_worker` does (the services only queue e-mail). Only in transactional tests (see
    ``emails_sent``)."""
    from django.core.management import call_command

    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--interval", "0",
        "--queue-name", "email", verbosity=0,
    )  # fmt: skip


@pytest.fixture
def emails_sent(transactional_db, django_capture_on_commit_callbacks):
    """``with emails_sent(): ...`` commits the block, then the worker sends what it queued.

    Transactional: the worker closes its database connection after each task, as it must in
    production, which would end a test wrapped in one transaction (on PostgreSQL).
    """

    @contextmanager
    def sending():
        with django_capture_on_commit_callbacks(execute=True):
            yield
        deliver_queued_email()

    return sending
