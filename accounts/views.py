"""Staff sign-in: the password step (the admin's own, rate limited and guarded by
django-axes), then a code from an authenticator app, set up at the first sign-in, or one of
the backup codes shown then. Signed in, staff make new backup codes or replace a lost phone's
app themselves (after typing their password again)."""

import base64
import logging
import time

import django_otp
import segno
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format, time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.middleware import is_verified
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.forms import BackupCodeForm, CodeForm, PasswordConfirmForm
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


@sensitive_post_parameters("code", "backup_code")
@never_cache
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Ask for the code (or a backup code); a staff member without an authenticator app sets
    one up first, and is then shown their backup codes, once.

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
    posted = request.POST if request.method == "POST" else None
    with_backup = posted is not None and "backup_code" in posted and not enrolling
    form = CodeForm(None if with_backup else posted)
    backup_form = BackupCodeForm(posted if with_backup else None)
    error = ""
    if with_backup and backup_form.is_valid():
        device, error = _check_backup_code(request, backup_form.cleaned_data["backup_code"])
        if device is not None:
            _sign_in_with(request, device)
            left = services.backup_codes_left(user=user)
            security_log.warning(
                "Signed in with a backup code: user=%s ip=%s codes_left=%s",
                user.pk,
                client_ip(request),
                left,
            )
            messages.warning(request, _backup_code_used_message(left))
            return HttpResponseRedirect(next_url)
    elif not with_backup and form.is_valid():
        device, error = _check_code(request, form.cleaned_data["code"], enrolling)
        if device is not None:
            _sign_in_with(request, device)
            if enrolling:
                # The codes are shown in this answer only: never stored, never shown again
                # (sent again, this form finds the session signed in and moves on).
                codes, _device = services.backup_codes_issue(user=user)
                security_log.info("Backup codes made: user=%s", user.pk)
                return _show_backup_codes(request, codes, next_url, base="accounts/_page.html")
            return HttpResponseRedirect(next_url)
    context = {
        **admin.site.each_context(request),
        "title": _("Set up two-step sign-in") if enrolling else _("Two-step sign-in"),
        "form": form,
        "backup_form": backup_form,
        "with_backup": with_backup,
        "has_backup_codes": not enrolling and services.backup_codes_left(user=user) > 0,
        "error": error,
        "enrolling": enrolling,
        "next": next_url,
    }
    if enrolling:
        context.update(_enrolment_context(user, request.session[PENDING_KEY]))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/two_factor.html", context, status=status)


def _sign_in_with(request: HttpRequest, device) -> None:
    """Mark this session as confirmed with ``device``, under a new session id."""
    request.session.pop(PENDING_KEY, None)
    request.session.pop(SETUP_KEY, None)
    request.session.cycle_key()  # a new session id for the now privileged session
    django_otp.login(request, device)
    security_log.info(
        "Two-factor code accepted: user=%s ip=%s", request.user.pk, client_ip(request)
    )


def _enrolment_context(user, key: str) -> dict[str, str]:
    """The QR code and typed-in key of an authenticator app being set up."""
    pending = services.unsaved_device(user=user, key=key)
    secret = base64.b32encode(pending.bin_key).decode("ascii")
    return {
        "qr_code": segno.make(pending.config_url, error="m").svg_data_uri(scale=5),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }


def _backup_code_used_message(left: int) -> str:
    message = ngettext(
        "You signed in with a backup code, which now no longer works. %(count)s backup code "
        "is left.",
        "You signed in with a backup code, which now no longer works. %(count)s backup codes "
        "are left.",
        left,
    ) % {"count": left}
    return (
        message
        + " "
        + _("If you lost your phone, set up a new authenticator app under Two-step sign-in.")
    )


def _show_backup_codes(
    request: HttpRequest, codes: list[str], next_url: str, *, base: str
) -> HttpResponse:
    context = {
        **admin.site.each_context(request),
        "title": _("Your backup codes"),
        "base_template": base,
        "codes": codes,
        "codes_text": _backup_codes_text(acting_user(request), codes),
        "next": next_url,
    }
    return render(request, "accounts/backup_codes.html", context)


def _backup_codes_text(user, codes: list[str]) -> str:
    """The codes as a text file to keep, in the reader's language."""
    heading = _(
        "Backup codes for two-step sign-in to %(site)s (%(address)s), account %(username)s, "
        "made %(date)s. Each code works once."
    ) % {
        "site": admin.site.site_title,
        "address": settings.PORTAL_BASE_URL,
        "username": user.get_username(),
        "date": date_format(localtime(), "DATETIME_FORMAT"),
    }
    return "\n".join([heading, "", *codes]) + "\n"


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


def _too_many_codes(user) -> str:
    """The message when this account has had too many codes tried lately (any kind), else ""."""
    if rate_limited(
        "two-step",
        str(user.pk),
        limit=settings.TWO_STEP_RATE_LIMIT,
        window=settings.LOGIN_RATE_WINDOW,
    ):
        return _(
            "Too many codes were tried for this account. Please wait %(minutes)s minutes and "
            "try again."
        ) % {"minutes": settings.LOGIN_RATE_WINDOW // 60}
    return ""


def _throttled_message(until) -> str:
    return _("Too many wrong codes. Wait until %(time)s, then try again.") % {
        "time": time_format(localtime(until), "H:i:s")
    }


def _check_code(request: HttpRequest, code: str, enrolling: bool) -> tuple[Device | None, str]:
    """The device that accepts ``code``, or None and the message to show."""
    user = acting_user(request)
    if refusal := _too_many_codes(user):
        return None, refusal
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
            return None, _throttled_message(check.throttled_until)
        if check.device is not None:
            return check.device, ""
    security_log.warning("Two-factor code wrong: user=%s ip=%s", user.pk, client_ip(request))
    return None, _("That code is not right, or it has expired. Enter the code shown now.")


def _check_backup_code(request: HttpRequest, code: str) -> tuple[Device | None, str]:
    """The backup-code device that accepts ``code`` (spending it), or None and the message."""
    user = acting_user(request)
    if refusal := _too_many_codes(user):
        return None, refusal
    check = services.backup_code_check(user=user, typed=code)
    if check.throttled_until is not None:
        security_log.warning("Backup code refused while throttled: user=%s", user.pk)
        return None, _throttled_message(check.throttled_until)
    if check.device is not None:
        return check.device, ""
    security_log.warning("Backup code wrong: user=%s ip=%s", user.pk, client_ip(request))
    return None, _(
        "That backup code is not right, or it has been used already. Each code works once."
    )


def _next_url(request: HttpRequest) -> str:
    """Where to go after the code: a path on this site (never a view name, which Django's
    redirect() would try to reverse, nor another host), else the back office."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


# While set, this session may set up a new authenticator app (the password was typed again).
NEW_APP_KEY = "second_factor_new_app_key"
NEW_APP_UNTIL = "second_factor_new_app_until"


def _staff_member(request: HttpRequest):
    user = acting_user(request)
    if not user.is_staff:
        raise PermissionDenied
    return user


@sensitive_post_parameters("password")
@never_cache
@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """A staff member's two-step sign-in: their authenticator app and the backup codes left;
    with their password typed again, new backup codes or a new app (a lost or new phone)."""
    user = _staff_member(request)
    posted = request.method == "POST"
    form = PasswordConfirmForm(request.POST if posted else None)
    action = request.POST.get("action") if posted else None
    error = ""
    if posted and action not in ("backup_codes", "new_app"):
        error = _("Choose what to do: make new backup codes or set up a new authenticator app.")
    elif posted and form.is_valid():
        if refusal := _too_many_codes(user):
            error = refusal
        elif not user.check_password(form.cleaned_data["password"]):
            security_log.warning(
                "Password wrong before a change of second factor: user=%s ip=%s",
                user.pk,
                client_ip(request),
            )
            error = _("That password is not right. Type the password you sign in with.")
        elif action == "backup_codes":
            signed_in_with_a_code = isinstance(
                getattr(request.user, "otp_device", None), StaticDevice
            )
            codes, device = services.backup_codes_issue(user=user)
            if signed_in_with_a_code:  # its device is gone: this session moves to the new one
                request.session.cycle_key()
                django_otp.login(request, device)
            security_log.warning(
                "Backup codes made anew: user=%s ip=%s", user.pk, client_ip(request)
            )
            return _show_backup_codes(
                request, codes, reverse("accounts:second_factor"), base="admin/base_site.html"
            )
        else:
            request.session[NEW_APP_KEY] = services.new_secret()
            request.session[NEW_APP_UNTIL] = (
                time.time() + 60 * settings.SECOND_FACTOR_CHANGE_MINUTES
            )
            return redirect("accounts:new_app")
    context = {
        **admin.site.each_context(request),
        "title": _("Two-step sign-in"),
        "app": TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first(),
        "codes_left": services.backup_codes_left(user=user),
        "code_count": settings.BACKUP_CODE_COUNT,
        "form": form,
        "error": error,
    }
    return render(request, "accounts/second_factor.html", context, status=400 if posted else 200)


@sensitive_post_parameters("code")
@never_cache
@login_required
def new_app(request: HttpRequest) -> HttpResponse:
    """Set up a new authenticator app in place of the old one, a few minutes after typing the
    password again; the old app's codes stop working when the new app's first code is right."""
    user = _staff_member(request)
    key = request.session.get(NEW_APP_KEY)
    until = request.session.get(NEW_APP_UNTIL)
    if not isinstance(key, str) or not isinstance(until, float) or until < time.time():
        request.session.pop(NEW_APP_KEY, None)
        request.session.pop(NEW_APP_UNTIL, None)
        messages.error(
            request, _("To set up a new authenticator app, type your password again first.")
        )
        return redirect("accounts:second_factor")
    form = CodeForm(request.POST if request.method == "POST" else None)
    error = ""
    if form.is_valid():
        if refusal := _too_many_codes(user):
            error = refusal
        elif device := services.totp_replace(user=user, key=key, code=form.cleaned_data["code"]):
            request.session.pop(NEW_APP_KEY, None)
            request.session.pop(NEW_APP_UNTIL, None)
            request.session.cycle_key()
            django_otp.login(request, device)
            security_log.warning(
                "Authenticator app replaced: user=%s ip=%s", user.pk, client_ip(request)
            )
            messages.success(
                request,
                _(
                    "Your new authenticator app is set up. The old app's codes no longer work, "
                    "and other browsers signed in with it must sign in again."
                ),
            )
            return redirect("accounts:second_factor")
        else:
            security_log.warning(
                "Two-factor code wrong for a new app: user=%s ip=%s", user.pk, client_ip(request)
            )
            error = _("That code is not right, or it has expired. Enter the code shown now.")
    context = {
        **admin.site.each_context(request),
        "title": _("Set up a new authenticator app"),
        "form": form,
        "error": error,
        **_enrolment_context(user, key),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/new_app.html", context, status=status)


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
