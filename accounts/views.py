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
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.middleware import is_verified
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.forms import CodeForm
from accounts.roles import acting_user
from guidelines_portal.abuse import client_ip, rate_limited, rate_refund

security_log = logging.getLogger("guidelines_portal.security")


@sensitive_post_parameters("password")
@never_cache
def login(request: HttpRequest) -> HttpResponse:
    """The back office's sign-in page, with a limit on password attempts per address.

    django-axes locks one username from one address after a few failures; this limit on
    failed attempts also stops one address trying many usernames.
    """
    posted = request.method == "POST"
    address = client_ip(request)
    if posted and rate_limited(
        "login-ip", address, limit=settings.LOGIN_RATE_LIMIT, window=settings.LOGIN_RATE_WINDOW
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
    response = admin.site.login(request)
    if posted and response.status_code == 302 and request.user.is_authenticated:
        # Only failures count: colleagues behind one address are never locked out by
        # each other's sign-ins.
        rate_refund("login-ip", address)
    return response


PENDING_KEY = "two_step_pending_key"
# The set-up link this browser opened (its id; see setup_link).
SETUP_KEY = "two_step_setup_link"


@never_cache
def setup_link(request: HttpRequest, token: str) -> HttpResponse:
    """A set-up link: lets this browser set up an authenticator app for its staff member.

    The token leaves the address at once (kept in the session, then a redirect), so it is not
    passed on in a Referer header or left in the history.
    """
    link = services.setup_link_find(token)
    if link is None:
        security_log.warning("Set-up link refused: ip=%s", client_ip(request))
        context = {
            **admin.site.each_context(request),
            "title": _("This set-up link does not work"),
            "message": _(
                "The link has expired, an authenticator app has already been set up with it, or "
                "a newer link has replaced it. Ask an administrator for a new set-up link."
            ),
        }
        response = render(request, "accounts/refused.html", context, status=410)
    else:
        request.session[SETUP_KEY] = link.pk
        security_log.info("Set-up link opened: user=%s ip=%s", link.user_id, client_ip(request))
        signed_in_as_them = request.user.is_authenticated and request.user.pk == link.user_id
        target = reverse("accounts:two_factor")
        response = redirect(
            target if signed_in_as_them else f"{reverse('admin:login')}?next={target}"
        )
    response["Referrer-Policy"] = "no-referrer"
    return response


@sensitive_post_parameters("code")
@never_cache
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Ask for the code; a staff member without an authenticator app sets one up first.

    The key of an app being set up lives in this sign-in's session only, and becomes a device
    when its first code is right: someone who once saw a set-up page holds nothing later.
    """
    user = acting_user(request)
    next_url = _next_url(request)
    if not user.is_staff:
        raise PermissionDenied
    if not settings.STAFF_TWO_FACTOR or is_verified(user):
        return HttpResponseRedirect(next_url)
    enrolling = not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    link_id = request.session.get(SETUP_KEY)
    if enrolling and not services.setup_link_allows(user=user, link_id=link_id):
        return _needs_setup_link(request)
    if enrolling and PENDING_KEY not in request.session:
        request.session[PENDING_KEY] = services.new_secret()
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        device, error = _check_code(request, form.cleaned_data["code"], enrolling)
        if device is not None:
            request.session.pop(PENDING_KEY, None)
            request.session.pop(SETUP_KEY, None)
            request.session.cycle_key()  # a new session id for the now privileged session
            django_otp.login(request, device)
            security_log.info(
                "Two-factor code accepted: user=%s ip=%s", user.pk, client_ip(request)
            )
            return HttpResponseRedirect(next_url)
    context = {
        **admin.site.each_context(request),
        "title": _("Set up two-step sign-in") if enrolling else _("Two-step sign-in"),
        "form": form,
        "error": error,
        "enrolling": enrolling,
        "next": next_url,
    }
    if enrolling:
        pending = services.unsaved_device(user=user, key=request.session[PENDING_KEY])
        context["qr_code"] = segno.make(pending.config_url, error="m").svg_data_uri(scale=5)
        secret = base64.b32encode(pending.bin_key).decode("ascii")
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/two_factor.html", context, status=status)


def _needs_setup_link(request: HttpRequest) -> HttpResponse:
    """A staff member without an authenticator app who has not opened a set-up link."""
    context = {
        **admin.site.each_context(request),
        "title": _("Set up two-step sign-in"),
        "message": _(
            "Your account has no authenticator app yet. To set one up, open the set-up link an "
            "administrator gave you, in this browser. If you have none, or it has expired, ask "
            "an administrator for a new one."
        ),
        "sign_out": True,
    }
    return render(request, "accounts/refused.html", context, status=403)


def _check_code(request: HttpRequest, code: str, enrolling: bool) -> tuple[TOTPDevice | None, str]:
    """The device that accepts ``code``, or None and the message to show."""
    user = acting_user(request)
    if rate_limited(
        "two-step",
        str(user.pk),
        limit=settings.TWO_STEP_RATE_LIMIT,
        window=settings.LOGIN_RATE_WINDOW,
    ):
        return None, _(
            "Too many codes were tried for this account. Please wait %(minutes)s minutes and "
            "try again."
        ) % {"minutes": settings.LOGIN_RATE_WINDOW // 60}
    if enrolling:
        device = services.totp_enrol(
            user=user,
            key=request.session[PENDING_KEY],
            code=code,
            link_id=request.session.get(SETUP_KEY),
        )
        if device is not None:
            security_log.info("Two-factor app set up: user=%s ip=%s", user.pk, client_ip(request))
            return device, ""
    else:
        check = services.totp_check(user=user, code=code)
        if check.throttled_until is not None:
            security_log.warning("Two-factor code refused while throttled: user=%s", user.pk)
            return None, _("Too many wrong codes. Wait until %(time)s, then try again.") % {
                "time": time_format(localtime(check.throttled_until), "H:i:s")
            }
        if check.device is not None:
            return check.device, ""
    security_log.warning("Two-factor code wrong: user=%s ip=%s", user.pk, client_ip(request))
    return None, _("That code is not right, or it has expired. Enter the code shown now.")


def _next_url(request: HttpRequest) -> str:
    """Where to go after the code: a path on this site (never a view name, which Django's
    redirect() would try to reverse, nor another host), else the back office."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
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
