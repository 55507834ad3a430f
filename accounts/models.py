"""Set-up links: how a staff member comes to set up an authenticator app."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


def setup_link_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=settings.STAFF_SETUP_LINK_HOURS)


class SetupLinkQuerySet(models.QuerySet):
    def usable(self) -> "SetupLinkQuerySet":
        """Links not used yet, not expired, for an active staff member."""
        return self.filter(
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
            user__is_staff=True,
        )


class SetupLink(models.Model):
    """A link an administrator sends a staff member to set up their authenticator app.

    It works until it is used to set up an app, or expires, or a newer link replaces it; a
    used link never works again (not even after the app it set up is removed). Only a digest
    of its token is stored.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="setup_links"
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=setup_link_expiry)
    used_at = models.DateTimeField(null=True, blank=True)

    objects = SetupLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"
