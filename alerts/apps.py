from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "alerts"
    verbose_name = _("E-mail alerts")

    def ready(self) -> None:
        from alerts import receivers
        from modules import signals

        signals.edition_published.connect(
            receivers.announce_edition, dispatch_uid="alerts-announce-edition"
        )
