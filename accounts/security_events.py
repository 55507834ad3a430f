"""Security events go to the ``guidelines_portal.security`` log: who (user id or the username
typed), from where (client address), what. Never a password, a code or a feedback body.

Sign-in failures, sign-ins, sign-outs and lockouts are logged here from Django's and
django-axes' signals; two-factor events, permission denials and rate-limit and honeypot hits
are logged where they happen, with the same logger.
"""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from guidelines_portal.abuse import client_ip

security_log = logging.getLogger("guidelines_portal.security")


def _address(request) -> str:
    return client_ip(request) if request is not None else "-"


def typed_username(value) -> str:
    """The username as typed, bounded and quoted so it cannot forge a log line."""
    return repr(str(value or "")[:150])


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    security_log.warning(
        "Sign-in failed: username=%s ip=%s",
        typed_username(credentials.get("username")),
        _address(request),
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
        typed_username(username),
        ip_address,
    )
