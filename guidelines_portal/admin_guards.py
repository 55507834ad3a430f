"""Back-office views that tighten the admin's own."""

import ipaddress

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpRequest, HttpResponse

from guidelines_portal.params import positive_int


def view_on_site(request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponse:
    """The admin's "View on site" redirect, only to what the user may view in the admin.

    Django's own asks for staff status alone, so any staff member could turn guessed IDs into
    the objects' addresses, such as the preview of every draft section.
    """
    content_type_pk = positive_int(content_type_id)
    if content_type_pk is None or positive_int(object_id) is None:
        raise Http404
    try:
        model = ContentType.objects.get_for_id(content_type_pk).model_class()
    except ContentType.DoesNotExist:
        raise Http404 from None
    if model is None or not admin.site.is_registered(model):
        raise Http404
    model_admin = admin.site.get_model_admin(model)
    if not model_admin.view_on_site:
        raise Http404
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    return shortcut(request, content_type_id, object_id)


# --- What the changelists' URLs may filter by ----------------------------------------------

# Fields that hold a secret or what could lead to one. The admin lets staff filter a list by
# any field of its model (``?fingerprint__startswith=a``); on a secret that is an oracle that
# gives the whole value away one character at a time, even where the field is never shown.
SECRET_FIELDS: dict[str, frozenset[str]] = {
    "auth.user": frozenset({"password"}),
    "accounts.setuplink": frozenset({"digest"}),
    "otp_totp.totpdevice": frozenset({"key"}),
    "otp_static.statictoken": frozenset({"token"}),
    "feedback.feedback": frozenset({"fingerprint", "form_nonce"}),
    "feedback.trackinglink": frozenset({"digest"}),
    "sessions.session": frozenset({"session_key", "session_data"}),
    "axes.accessattempt": frozenset({"post_data"}),
}
# Lookups that compare a field with a value (others, such as isnull, take a flag).
VALUE_LOOKUPS = frozenset({"", "exact", "iexact", "in", "gt", "gte", "lt", "lte", "range"})


def _fields_of(model, lookup: str) -> tuple[list, str]:
    """The fields a lookup path walks through, and the lookup that ends it ("" for exact)."""
    fields: list = []
    parts = lookup.split(LOOKUP_SEP)
    for index, part in enumerate(parts):
        try:
            field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        except FieldDoesNotExist:
            return fields, LOOKUP_SEP.join(parts[index:])
        fields.append(field)
        if not field.is_relation or field.related_model is None:
            return fields, LOOKUP_SEP.join(parts[index + 1 :])
        model = field.related_model
    return fields, ""


def _is_secret(field) -> bool:
    return field.name in SECRET_FIELDS.get(field.model._meta.label_lower, ())


INTEGER_TYPES = frozenset({
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField",
    "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
})  # fmt: skip


def _column_type(field) -> str:
    """The internal type of the column a lookup on ``field`` compares with."""
    if field.is_relation and field.target_field is not None:
        field = field.target_field
    return field.get_internal_type()


def _fits(column_type: str, text: str) -> bool:
    """Whether ``text`` can be a value of such a column (types whose bad values the database,
    not Django, would refuse: integers out of range, malformed addresses on PostgreSQL)."""
    if column_type in INTEGER_TYPES:
        return text == "0" or positive_int(text.removeprefix("-")) is not None
    if column_type == "GenericIPAddressField":
        try:
            ipaddress.ip_address(text)
        except ValueError:
            return False
    return True


def _values(lookup: str, value) -> list[str]:
    values = value if isinstance(value, list | tuple) else [value]
    if lookup in ("in", "range"):
        return [part for item in values for part in str(item).split(",")]
    return [str(item) for item in values]


def lookup_refusal(model, lookup: str, value) -> str:
    """Why a changelist may not filter ``model`` by ``lookup`` = ``value`` ("" when it may).

    Refused: a lookup that reaches a secret field, by any path (``user__password``), and a
    value its column cannot hold ("²" or thirty digits for an integer, "x" for an address),
    which the database would refuse with a 500 instead of an empty list.
    """
    fields, final = _fields_of(model, lookup)
    if any(_is_secret(field) for field in fields):
        return "secret field"
    if fields and final in VALUE_LOOKUPS:
        column_type = _column_type(fields[-1])
        if not all(_fits(column_type, item) for item in _values(final, value)):
            return f"not a value of a {column_type}"
    return ""


def usable_initial(model, initial: dict) -> dict:
    """An add form's initial values from the query string, less those their field cannot
    hold ("?section=²" on an add page is a 500 in Django's autocomplete widget otherwise)."""
    usable = {}
    for name, value in initial.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a form field of the admin's own: its form checks it
            usable[name] = value
            continue
        if not lookup_refusal(model, f"{name}__in" if field.many_to_many else name, value):
            usable[name] = value
    return usable


def guard_lookups(site: admin.AdminSite) -> None:
    """Make every ModelAdmin on ``site`` (ours and other apps') refuse the lookups above:
    the changelist then answers 400, as for any lookup the admin does not allow; and take
    from an add page's query string only values its fields can hold."""
    for model, model_admin in site._registry.items():
        allowed = model_admin.lookup_allowed
        initial_data = model_admin.get_changeform_initial_data

        def lookup_allowed(lookup, value, request=None, *, _model=model, _allowed=allowed):
            if lookup_refusal(_model, lookup, value):
                return False
            return _allowed(lookup, value, request)

        def get_changeform_initial_data(request, *, _model=model, _initial=initial_data):
            return usable_initial(_model, _initial(request))

        # Every registered admin is guarded, third-party ones too: so per instance, not a mixin.
        model_admin.lookup_allowed = lookup_allowed  # type: ignore[method-assign]
        model_admin.get_changeform_initial_data = get_changeform_initial_data  # type: ignore[method-assign]
