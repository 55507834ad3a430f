"""Back-office views that tighten the admin's own."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse


def view_on_site(request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponse:
    """The admin's "View on site" redirect, only to what the user may view in the admin.

    Django's own asks for staff status alone, so any staff member could turn guessed IDs into
    the objects' addresses: the preview of every draft section and, for feedback, each
    contributor's private tracking link (its admin turns "View on site" off for that reason).
    """
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ContentType.DoesNotExist, ValueError):
        raise Http404 from None
    if model is None or not admin.site.is_registered(model):
        raise Http404
    model_admin = admin.site.get_model_admin(model)
    if not model_admin.view_on_site:
        raise Http404
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    return shortcut(request, content_type_id, object_id)
