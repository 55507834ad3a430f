"""Every back-office and staff URL, requested as every persona, against the table in matrix.py;
and the public side: published editions are open to all, nothing unpublished is found by
guessing an edition number, a module, a section key or a tracking token, in any language.

The content is built once for the whole module (inside a transaction rolled back at the end);
each test runs in its own savepoint on top of it, so writes by allowed personas do not leak
into the next test.
"""

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from modules.models import LANGS, EditionPDF
from tests.security import matrix
from tests.security.matrix import BLIND, MATRIX, PUBLISHED, REFUSALS, UNPUBLISHED

# On every test, the guards included: pytest-django sets the test database up only when asked.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        translation.override("en"),
    ):
        yield matrix.build_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def _shared_client():
    return Client()


@pytest.fixture
def client(_shared_client):
    """One client for the module, signed out before each test: a new client loads the
    middleware again, and WhiteNoise's scan of the static files would dominate each case."""
    _shared_client.cookies.clear()
    return _shared_client


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _leaks(response) -> list[str]:
    if response.get("Content-Type", "").startswith("application/pdf"):
        return []
    text = _body(response)
    return [secret for secret in matrix.SECRETS if secret in text]


def _assert_outcome(response, code: str) -> None:
    status = response.status_code
    location = response.get("Location", "")
    login = reverse("admin:login")
    if code in "2o0":
        assert status == 200
    elif code == "P":
        assert status in (200, 202)
    elif code in "Rr":
        assert status == 302 and not location.startswith(login), location
    elif code == "S":
        assert status == 302 and location == f"{login}?next={reverse('accounts:two_factor')}"
    elif code == "L":
        assert status == 302 and location.startswith(f"{login}?next="), location
    else:
        assert status == {"F": 403, "N": 404, "A": 405, "B": 400, "G": 410}[code]


# --- The guard: the matrix covers everything the admin and the URLconf offer -------------


def _staff_names() -> set[str]:
    return {matrix.parse(key)[1] for key in MATRIX if not key.split()[1].startswith("admin:")}


def _public_names() -> set[str]:
    return {name for _id, name, *_rest in PUBLISHED + UNPUBLISHED}


def _covered() -> set[str]:
    """Each row's URL name, with its variant when it has one."""
    return {" ".join(key.split()[1:]) for key in MATRIX} | {key.split()[1] for key in MATRIX}


def test_every_admin_url_model_action_and_field_is_in_the_matrix(world):
    offered = matrix.admin_variants(world.users["superuser"])
    site = {name for name in matrix.named_urls() if name.startswith("admin:")}
    missing = sorted((offered | site) - _covered())
    assert not missing, f"Add rows to MATRIX in tests/security/matrix.py for: {missing}"


def test_every_admin_write_view_has_a_get_and_a_post_row():
    names = {matrix.parse(key)[1] for key in MATRIX}
    for name in names:
        methods = {matrix.parse(key)[0] for key in MATRIX if matrix.parse(key)[1] == name}
        if name.endswith(matrix.WRITE_SUFFIXES):
            assert methods == {"GET", "POST"}, name
        if name.endswith(matrix.POST_ONLY_SUFFIXES):
            assert methods == {"POST"}, name


def test_every_url_outside_the_admin_is_staff_only_or_public():
    outside = {name for name in matrix.named_urls() if not name.startswith("admin:")}
    unclassified = sorted(outside - _staff_names() - _public_names())
    assert not unclassified, (
        f"Classify {unclassified}: a staff row in MATRIX or a public case in matrix.py"
    )
    assert not _staff_names() & _public_names()
    # Public pages are reachable: each has at least one case that is not a refusal.
    reachable = {name for _id, name, _kw, _q, code in PUBLISHED if code not in REFUSALS}
    assert reachable == {name for _id, name, *_rest in PUBLISHED}
    assert _public_names() <= outside
    # Staff pages refuse anonymous visitors.
    assert all(matrix.expectations(f"GET {name}")["anonymous"] in BLIND for name in _staff_names())


def test_the_views_that_ask_for_a_sign_in_are_the_staff_rows():
    """A new view behind login_required or permission_required must get its row."""
    views = matrix.url_views()
    guarded = {n for n, v in views.items() if ":" not in n or not n.startswith("admin:")}
    guarded = {n for n in guarded if matrix.asks_for_sign_in(views[n])}
    assert guarded == _staff_names()


def test_the_matrix_names_nothing_that_is_gone(world):
    known = matrix.named_urls()
    offered = matrix.admin_variants(world.users["superuser"])
    for key in MATRIX:
        method, name, variant = matrix.parse(key)
        assert method in ("GET", "POST"), key
        assert name in known, f"{key}: no such URL any more"
        if variant:
            assert f"{name} {variant}" in offered, f"{key}: no such variant any more"
        assert set(matrix.expectations(key).values()) <= set(matrix.OUTCOMES), key
    assert matrix.STAFF_PAGE_KWARGS.keys() == _staff_names()


# --- The matrix itself --------------------------------------------------------------------


CASES = [
    pytest.param(key, persona, code, id=f"{key}|{persona}")
    for key in MATRIX
    for persona, code in matrix.expectations(key).items()
    if code != "."
]


@pytest.mark.parametrize(("key", "persona", "code"), CASES)
def test_permission_matrix(client, world, key, persona, code):
    user = world.users[persona]
    if user is not None:
        client.force_login(user)
    call = matrix.build_call(key, world)
    before = matrix.snapshot()

    response = getattr(client, call.method.lower())(call.path, call.data)

    _assert_outcome(response, code)
    if call.method == "GET" or code in REFUSALS:
        assert matrix.snapshot() == before, "the request changed data"
    if code in BLIND:
        assert not _leaks(response)


STAFF_REFUSALS = [
    pytest.param(key, persona, code, id=f"{key}|{persona}")
    for key in MATRIX
    if key.startswith("GET modules:")
    for persona, code in matrix.expectations(key).items()
    if code in BLIND
]


@pytest.mark.parametrize(("key", "persona", "code"), STAFF_REFUSALS)
def test_staff_pages_refuse_outsiders_in_russian_too(client, world, key, persona, code):
    user = world.users[persona]
    if user is not None:
        client.force_login(user)
    name = matrix.parse(key)[1]
    with translation.override("ru"):
        path = reverse(name, kwargs=matrix.STAFF_PAGE_KWARGS[name])
    assert path.startswith("/ru/")

    response = client.get(path)

    _assert_outcome(response, code)
    assert not _leaks(response)


# --- The public side ----------------------------------------------------------------------


def _public_cases(rows):
    return [
        pytest.param(name, kwargs, query, code, lang, id=f"{case_id}|{lang}")
        for case_id, name, kwargs, query, code in rows
        for lang in LANGS
    ]


@pytest.mark.parametrize(("name", "kwargs", "query", "code", "lang"), _public_cases(PUBLISHED))
def test_published_editions_are_public(client, world, name, kwargs, query, code, lang):
    response = client.get(matrix.public_url(name, kwargs, query, lang, world))

    _assert_outcome(response, code)
    assert not _leaks(response), "a public page shows draft or private text"


@pytest.mark.parametrize(("name", "kwargs", "query", "code", "lang"), _public_cases(UNPUBLISHED))
def test_nothing_unpublished_is_found_by_guessing(client, world, name, kwargs, query, code, lang):
    pdfs = EditionPDF.objects.count()

    response = client.get(matrix.public_url(name, kwargs, query, lang, world))

    _assert_outcome(response, code)
    assert not _leaks(response), "the page shows draft or private text"
    assert EditionPDF.objects.count() == pdfs, "a PDF was queued for something unpublished"


def test_the_secret_texts_are_on_the_pages_of_those_who_may_read_them(client, world):
    """Otherwise the leak checks above would pass for want of anything to leak."""
    client.force_login(world.users["editor"])
    section = matrix.STAFF_PAGE_KWARGS["modules:preview_section"]
    for lang, secret in (("en", matrix.DRAFT_EN), ("ru", matrix.DRAFT_RU)):
        with translation.override(lang):
            assert secret in client.get(reverse("modules:preview_section", kwargs=section)).text
    item = world.objects["feedback.feedback"]
    page = client.get(reverse("admin:feedback_feedback_change", args=[item.pk]))
    assert matrix.PRIVATE in page.text
