"""No input ever gives a 500: a property over every URL the portal offers.

Every address of the permission matrix (public pages in both languages, staff pages, every
admin page, changelists and autocompletes) is requested with hostile values in its path and in
each query parameter it reads: the parameters the views read (found in their source), the
fields of the forms bound to the query string, and for each changelist every filter it offers
and a lookup on every field of its model. Hostile means Unicode digits, NUL and other control
characters, bytes that are not UTF-8 (a lone surrogate, 0xFF), huge and negative numbers,
5,000-character strings, wrong types and path tricks.

Each answer must be: not a 5xx, free of every secret the database holds (tokens' digests,
TOTP keys, password hashes, the SECRET_KEY; and for anyone without a role the draft and
private feedback), and without a link to another host. A deterministic sweep covers every
parameter of every URL with the values that broke the portal before (public pages as an
anonymous reader, staff and admin pages as a superuser, who reaches them all); hypothesis then
explores mixtures of every persona of the permission matrix, addresses and values within a
bounded number of examples (HOSTILE_EXAMPLES).

Runs on whichever database is configured: CI runs it on SQLite and on PostgreSQL.
"""

import itertools
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client, RequestFactory, override_settings
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import SetupLink
from api import views as api_views
from feedback.models import Feedback, TrackingLink
from modules.forms import CompareForm, SearchForm, TranslationFilterForm
from tests.conftest import confirm_second_factor
from tests.feedback.conftest import ORIGIN, form_data
from tests.security import matrix

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "300"))
EVIL_HOST = "evil.example"

# Values written as they go on the wire (already percent-encoded where they must be): some
# are not even UTF-8, which no Python string can carry.
WIRE_VALUES = [
    "%C2%B2",  # ²: str.isdigit() is true, int() refuses it
    "%E2%91%A0",  # ①
    "%D9%A3",  # Arabic-Indic three
    "%EF%BC%90",  # full-width zero
    "%00",
    "a%00b",
    "%01%1F%7F",
    "%ED%A0%80",  # a lone surrogate, as UTF-8 would write it
    "%FF%FE",  # not UTF-8 at all
    "9" * 30,
    "-" + "9" * 30,
    "-1",
    "0",
    "1e309",
    "NaN",
    "x" * 5000,
    "1%2C%C2%B2",  # "1,²" for __in lookups
    quote("//" + EVIL_HOST + "/", safe=""),
    quote("\\\\" + EVIL_HOST, safe=""),
    quote("https://" + EVIL_HOST + "/", safe=""),
    "..%2F..%2Fetc%2Fpasswd",
    quote("<script>alert(1)</script>", safe=""),
    quote("' OR 1=1 --", safe=""),
    "%5B%5D",  # []
    "true",
    quote("\u202eevil", safe=""),
]
# The values that broke the portal before: each parameter of each URL gets all of them.
SWEEP_VALUES = ["%C2%B2", "9" * 30, "%00", "%FF%FE", quote("//" + EVIL_HOST + "/", safe="")]


def _text_value(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


HOSTILE = st.one_of(
    st.sampled_from(WIRE_VALUES),
    st.text(max_size=60).map(_text_value),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.text(alphabet=st.characters(categories=["Nd", "No", "Cc", "Cs", "Zs"]), max_size=12).map(
        _text_value
    ),
)

# --- What the portal offers --------------------------------------------------------------

VIEW_SOURCES = ("modules", "feedback", "alerts", "accounts", "guidelines_portal")
READ_PARAMETER = re.compile(r"""request\.GET(?:\.get\(|\.getlist\(|\[)\s*["'](\w+)["']""")


def parameters_read_by_views() -> set[str]:
    """Every query parameter a view reads, from the source, and those of GET-bound forms."""
    names = set()
    for folder in VIEW_SOURCES:
        for source in Path(settings.BASE_DIR, folder).rglob("*.py"):
            names |= set(READ_PARAMETER.findall(source.read_text()))
    for form in (SearchForm, CompareForm, TranslationFilterForm):
        names |= set(form.base_fields)
    return names | set(api_views.PARAMETERS)


CHANGELIST_PARAMETERS = ("q", "o", "p", "all", "e", "_to_field", "_popup", "_facets")
FIELD_LOOKUPS = ("", "__in", "__startswith")


def changelist_parameters(model_admin: admin.ModelAdmin, superuser: User) -> set[str]:
    """What a changelist's URL may carry: its filters' parameters and a lookup on every field."""
    request = RequestFactory().get("/admin/")
    request.user = superuser
    changelist = model_admin.get_changelist_instance(request)
    names = set(CHANGELIST_PARAMETERS)
    for spec in changelist.filter_specs:
        names |= set(spec.expected_parameters())
    for item in model_admin.get_list_filter(request):  # those without choices to show, too
        if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
            names.add(item.parameter_name)
        else:
            path = item[0] if isinstance(item, list | tuple) else item
            names |= {f"{path}__exact", f"{path}__id__exact", f"{path}__isnull"}
    names |= {"pk", "pk__in"}
    for field in model_admin.model._meta.get_fields():
        if field.concrete or field.is_relation:
            target = f"{field.name}__id" if field.is_relation else field.name
            names |= {f"{target}{lookup}" for lookup in FIELD_LOOKUPS}
            if field.is_relation:
                names.add(f"{field.name}__pk__in")
    return names


@dataclass(frozen=True)
class Address:
    """One URL of the portal: its path, its valid query, the parameters it reads, and who
    the sweep sends (hypothesis sends every persona)."""

    path: str
    query: tuple[tuple[str, str], ...]
    parameters: tuple[str, ...]
    swept_by: str


def addresses(world: matrix.World) -> list[Address]:
    public = tuple(sorted(parameters_read_by_views()))
    superuser = world.users["superuser"]
    found: dict[str, Address] = {}
    for _id, name, kwargs, query, _code in matrix.PUBLISHED + matrix.UNPUBLISHED:
        for lang in ("en", "ru"):
            path = matrix.public_url(name, kwargs, "", lang, world)
            pairs = tuple(p.split("=", 1) for p in query.split("&") if p)  # type: ignore[misc]
            reads = () if "pdf" in name else public  # a PDF view reads no parameter
            found[path] = Address(path, pairs, reads, "anonymous")
    changelists = {
        f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist": ma
        for m, ma in admin.site._registry.items()
    }
    for key in matrix.MATRIX:
        method, name, _variant = matrix.parse(key)
        if method != "GET" or name in ("admin:logout",):
            continue
        call = matrix.build_call(key, world)
        if call.path in found:
            continue
        if name in changelists:
            reads = tuple(sorted(changelist_parameters(changelists[name], superuser)))
        elif "pdf" in name:  # typeset at once for staff: its path is tried, not its query
            reads = ()
        else:
            reads = tuple(sorted(set(public) | set(call.data)))
        query = tuple((k, str(v)) for k, v in call.data.items())
        found[call.path] = Address(call.path, query, reads, "superuser")
    return list(found.values())


# --- What every answer must be -----------------------------------------------------------

# Who may read neither the draft nor private feedback.
OUTSIDERS = ("anonymous", "reader", "staff_without_permissions")
# Addresses on other hosts the portal writes on purpose, never from input: the namespace
# that tells reference managers the DC.* tags are Dublin Core.
FIXED_EXTERNAL = {"http://purl.org/dc/elements/1.1/"}
LINK = re.compile(r"""\b(?:href|src|action|formaction)\s*=\s*["']([^"']*)["']""", re.I)


def secrets_in_database(world: matrix.World) -> dict[str, str]:
    found = {"SECRET_KEY": settings.SECRET_KEY}
    device = world.objects["otp_totp.totpdevice"]
    found["TOTP key"] = device.key
    for pk, fingerprint, nonce in Feedback.objects.values_list("pk", "fingerprint", "form_nonce"):
        found[f"fingerprint {pk}"] = fingerprint
        if len(nonce) >= 8:
            found[f"form nonce {pk}"] = nonce
    for pk, digest in TrackingLink.objects.values_list("pk", "digest"):
        found[f"tracking digest {pk}"] = digest
    for pk, digest in SetupLink.objects.values_list("pk", "digest"):
        found[f"set-up link digest {pk}"] = digest
    for username, password in User.objects.values_list("username", "password"):
        found[f"password hash of {username}"] = password
    return {what: value for what, value in found.items() if value}


def problems(response, persona: str, url: str, world: matrix.World, secrets: dict) -> list[str]:
    found = []
    if response.status_code >= 500 and not (
        url.startswith("/health/") and response.status_code == 503
    ):
        found.append(f"status {response.status_code}")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        body = b""
    text = body.decode("utf-8", "replace")
    leaks = {what: value for what, value in secrets.items() if value in text}
    if world.tracking_token in text and world.tracking_token not in url:
        leaks["tracking token"] = world.tracking_token
    if persona in OUTSIDERS:
        leaks |= {f"private text {s!r}": s for s in matrix.SECRETS if s in text}
    found += [f"shows the {what}" for what in leaks]
    links = [*LINK.findall(text), response.get("Location", "")]
    for link in links:
        if link in FIXED_EXTERNAL:
            continue
        parts = urlsplit(link.strip().replace("\\", "/"))
        external = parts.netloc and parts.hostname not in (
            "testserver",
            "guidelines.test",
            "127.0.0.1",
            "localhost",
        )
        if external or EVIL_HOST in parts.netloc:
            found.append(f"links to another host: {link[:120]!r}")
    return found


# --- Requests ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _quiet_request_log():
    """Thousands of refused requests would each log a warning."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        transaction.atomic(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            FEEDBACK_RATE_LIMIT=0,
            SEARCH_RATE_LIMIT=0,
        ),
        translation.override("en"),
    ):
        yield matrix.build_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def clients(world, django_db_blocker):
    with django_db_blocker.unblock():
        signed_in = {}
        for persona in matrix.PERSONAS:
            client = Client(raise_request_exception=False)
            user = world.users.get(persona)
            if user is not None:
                client.force_login(user)
                confirm_second_factor(client, user)  # signed in with password and code
            signed_in[persona] = client
        return signed_in


@pytest.fixture(scope="module")
def offered(world, django_db_blocker):
    with django_db_blocker.unblock():
        return addresses(world)


@pytest.fixture(scope="module")
def secrets(world, django_db_blocker):
    with django_db_blocker.unblock():
        return secrets_in_database(world)


def _query(pairs) -> str:
    return "&".join(f"{quote(k, safe='_')}={v}" for k, v in pairs)


def _request(client: Client, path: str, query: str = ""):
    with transaction.atomic():
        response = client.generic("GET", f"{path}?{query}" if query else path)
        transaction.set_rollback(True)
    return response


def _mutated_paths(path: str, value: str) -> list[str]:
    """The path with each of its segments (but the language) replaced by ``value``."""
    segments = path.strip("/").split("/")
    mutated = []
    for index, segment in enumerate(segments):
        if segment in ("en", "ru") and index == 0:
            continue
        mutated.append("/" + "/".join([*segments[:index], value, *segments[index + 1 :]]) + "/")
    return mutated


def _check(client, persona, path, query, world, secrets, failures) -> None:
    response = _request(client, path, query)
    url = f"{path}?{query}" if query else path
    for problem in problems(response, persona, url, world, secrets):
        failures.append(f"{persona} GET {url[:200]}: {problem}")


def test_every_parameter_of_every_address_survives_the_values_that_broke_it(
    world, clients, offered, secrets
):
    failures: list[str] = []
    for address in offered:
        persona = address.swept_by
        client = clients[persona]
        for name, value in itertools.product(address.parameters, SWEEP_VALUES):
            pairs = [(k, v) for k, v in address.query if k != name] + [(name, value)]
            _check(client, persona, address.path, _query(pairs), world, secrets, failures)
        for value in SWEEP_VALUES:
            for path in _mutated_paths(address.path, value):
                _check(client, persona, path, "", world, secrets, failures)
    assert not failures, "\n".join(failures[:40])


def test_the_sweep_covers_every_changelist_filter_and_public_parameter(offered):
    """Guard: the sweep reaches the parameters that once gave a 500."""
    everything = {name for address in offered for name in address.parameters}
    assert {"paragraph", "module", "edition", "section", "q", "page", "term"} <= everything
    assert {"section__id__exact", "module__id__exact", "status__exact", "key"} <= everything
    assert any(a.path.startswith("/admin/autocomplete/") for a in offered)
    assert any(a.path.startswith("/ru/") for a in offered)


@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_mixture_of_hostile_values_gives_a_500_a_secret_or_a_foreign_link(
    world, clients, offered, secrets, data
):
    address = data.draw(st.sampled_from(offered))
    persona = data.draw(st.sampled_from(matrix.PERSONAS))
    pairs = list(address.query)
    for name in data.draw(st.lists(st.sampled_from(address.parameters or ("x",)), max_size=4)):
        pairs.append((name, data.draw(HOSTILE)))
    path = address.path
    if data.draw(st.booleans()):
        candidates = _mutated_paths(path, data.draw(HOSTILE))
        path = data.draw(st.sampled_from(candidates)) if candidates else path
    failures: list[str] = []
    _check(clients[persona], persona, path, _query(pairs), world, secrets, failures)
    assert not failures, failures


FEEDBACK_FIELDS = tuple(form_data())


@hypothesis_settings(
    max_examples=max(EXAMPLES // 3, 20),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lang=st.sampled_from(("en", "ru")),
    values=st.dictionaries(
        st.sampled_from(FEEDBACK_FIELDS),
        st.one_of(st.text(max_size=300), st.sampled_from(["²", "9" * 30, "\x00", "x" * 6000])),
        max_size=5,
    ),
)
def test_the_public_form_refuses_hostile_fields_with_a_message_never_a_500(
    world, clients, secrets, lang, values
):
    client = clients["anonymous"]
    data = form_data(**{k: v.replace("\x00", "") if k == "nonce" else v for k, v in values.items()})
    url = f"/{lang}/feedback/?section=salw-tracing&paragraph={values.get('paragraph', '')[:20]}"
    with transaction.atomic():
        response = client.post(url.replace("\x00", ""), data, **ORIGIN)
        transaction.set_rollback(True)
    assert response.status_code in (200, 302, 400, 404, 429), response.status_code
    assert not problems(response, "anonymous", url, world, secrets)
