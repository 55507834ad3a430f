from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Staff sign-in: two-factor codes, brute-force lockout, security-event logging."""

    name = "accounts"
    verbose_name = _("Staff sign-in")

    def ready(self) -> None:
        from accounts import checks, security_events  # noqa: F401 - registers checks and receivers
