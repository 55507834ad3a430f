"""Staff sign-in: the password step (the admin's own, rate limited and guarded by
django-axes), then a code from an authenticator app, set up at the first sign-in."""

import base64
import logging

import django_otp
import segno
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import CodeForm
from guidelines_portal.abuse import client_ip, rate_limited

security_log = logging.getLogger("guidelines_portal.security")


@sensitive_post_parameters("password")
@never_cache
def login(request: HttpRequest) -> HttpResponse:
    """The back office's sign-in page, with a limit on password attempts per address.

    django-axes locks one username from one address after a few failures; this limit also
    stops one address trying many usernames.
    """
    if request.method == "POST" and rate_limited(
        "login-ip",
        client_ip(request),
        limit=settings.LOGIN_RATE_LIMIT,
        window=settings.LOGIN_RATE_WINDOW,
    ):
        context = {
            **admin.site.each_context(request),
            "title": _("Too many sign-in attempts"),
            "message": _(
                "Too many sign-in attempts came from your network. Please wait %(minutes)s "
                "minutes and try again."
            )
            % {"minutes": settings.LOGIN_RATE_WINDOW // 60},
        }
        return render(request, "accounts/refused.html", context, status=429)
    return admin.site.login(request)


@sensitive_post_parameters("code")
@never_cache
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Ask for the code; a staff member without an authenticator app sets one up first."""
    user = request.user
    next_url = _next_url(request)
    if not user.is_staff:
        raise PermissionDenied
    if not settings.STAFF_TWO_FACTOR or user.is_verified():
        return redirect(next_url)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        # One pending device per person: reloading the page keeps the same secret.
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=user, name=_("Authenticator app"), confirmed=False
            )
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        allowed, details = device.verify_is_allowed()
        if not allowed:
            security_log.warning("Two-factor code refused while throttled: user=%s", user.pk)
            until = (details or {}).get("locked_until")
            error = _("Too many wrong codes. Wait until %(time)s, then try again.") % {
                "time": time_format(localtime(until), "H:i:s") if until else "…"
            }
        elif device.verify_token(form.cleaned_data["code"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                security_log.info(
                    "Two-factor app set up: user=%s ip=%s", user.pk, client_ip(request)
                )
            request.session.cycle_key()  # a new session id for the now privileged session
            django_otp.login(request, device)
            security_log.info(
                "Two-factor code accepted: user=%s ip=%s", user.pk, client_ip(request)
            )
            return redirect(next_url)
        else:
            security_log.warning(
                "Two-factor code wrong: user=%s ip=%s", user.pk, client_ip(request)
            )
            error = _("That code is not right, or it has expired. Enter the code shown now.")
    context = {
        **admin.site.each_context(request),
        "title": _("Set up two-step sign-in") if enrolling else _("Two-step sign-in"),
        "form": form,
        "error": error,
        "enrolling": enrolling,
        "next": next_url,
    }
    if enrolling:
        context["qr_code"] = segno.make(device.config_url, error="m").svg_data_uri(scale=5)
        secret = base64.b32encode(device.bin_key).decode("ascii")
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/two_factor.html", context, status=status)


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    """The 403 page, logged: who was refused what."""
    user = getattr(request, "user", None)
    security_log.warning(
        "Permission denied: user=%s ip=%s method=%s path=%r",
        getattr(user, "pk", None),
        client_ip(request),
        request.method,
        request.path[:300],
    )
    return defaults.permission_denied(request, exception)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer once one username has failed too often from one address."""
    context = {
        **admin.site.each_context(request),
        "title": _("Sign-in locked"),
        "cooloff_minutes": settings.AXES_COOLOFF_MINUTES,
    }
    return render(request, "accounts/locked_out.html", context, status=429)
