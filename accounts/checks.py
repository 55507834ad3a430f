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
