from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        from feedback import receivers
        from modules import signals

        signals.edition_published.connect(
            receivers.fold_feedback_into_edition, dispatch_uid="feedback-incorporate"
        )
