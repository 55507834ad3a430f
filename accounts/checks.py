"""Deployment checks (``manage.py check --deploy``) for staff sign-in."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def two_factor_required(app_configs, **kwargs):
    if settings.STAFF_TWO_FACTOR:
        return []
    return [
        Warning(
            "Staff can sign in to the back office with a password alone.",
            hint="Set STAFF_TWO_FACTOR=1 (the default) so staff confirm each sign-in with a code.",
            id="accounts.W001",
        )
    ]


@register(Tags.security, deploy=True)
def proxy_addresses_trusted(app_configs, **kwargs):
    if settings.SECURE_PROXY_SSL_HEADER is None or settings.TRUSTED_PROXY_COUNT > 0:
        return []
    return [
        Warning(
            "Behind a reverse proxy, but TRUSTED_PROXY_COUNT is 0: every client has the "
            "proxy's address, so one stranger's failed sign-ins or searches limit everyone.",
            hint="Set TRUSTED_PROXY_COUNT to the number of your proxies that append to "
            "X-Forwarded-For (1 for a single nginx).",
            id="accounts.W002",
        )
    ]
