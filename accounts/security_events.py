"""Security events go to the ``guidelines_portal.security`` log: who (user id, or the username
tried when an account has it), from where (client address), what. Never a password, a code
or a feedback body.

Sign-in failures, sign-ins, sign-outs and lockouts are logged here from Django's and
django-axes' signals; two-factor events, permission denials and rate-limit and honeypot hits
are logged where they happen, with the same logger.
"""

import hashlib
import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from guidelines_portal.abuse import client_ip, rate_limited

security_log = logging.getLogger("guidelines_portal.security")


def _address(request) -> str:
    return client_ip(request) if request is not None else "-"


def typed_username(value) -> str:
    """The username as typed, bounded and quoted so it cannot forge a log line."""
    return repr(str(value or "")[:150])


def attempted_username(value) -> str:
    """An account's username, quoted; for a name no account has, only a short digest.

    People type their password into the username box: what matches no account is never
    written out, yet repeated guesses of one name still show as one digest.
    """
    name = str(value or "")
    if get_user_model().objects.filter(username=name).exists():
        return typed_username(name)
    return "unknown:" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = attempted_username(credentials.get("username"))
    security_log.warning("Sign-in failed: username=%s ip=%s", username, _address(request))
    # django-axes locks a username per address; guesses at one account spread over many
    # addresses are never locked (that would lock its owner out too), but they are raised.
    if rate_limited(
        "login-username",
        username,
        limit=settings.LOGIN_ACCOUNT_ALERT,
        window=settings.LOGIN_RATE_WINDOW,
    ):
        security_log.error(
            "Many failed sign-ins for one account (more than %s in %s s), possibly from "
            "several addresses: username=%s",
            settings.LOGIN_ACCOUNT_ALERT,
            settings.LOGIN_RATE_WINDOW,
            username,
        )


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    security_log.info("Signed in with password: user=%s ip=%s", user.pk, _address(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    security_log.info("Signed out: user=%s ip=%s", getattr(user, "pk", None), _address(request))


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    security_log.warning(
        "Sign-in locked out after repeated failures: username=%s ip=%s",
        attempted_username(username),
        ip_address,
    )
