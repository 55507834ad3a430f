from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        from django.utils.autoreload import file_changed

        from feedback import kept, receivers
        from modules import signals

        signals.edition_published.connect(
            receivers.fold_feedback_into_edition, dispatch_uid="feedback-incorporate"
        )
        # In development, an edited template or translation shows at once in the feedback
        # form too (the rest of the time, a new release is a new process).
        file_changed.connect(kept.forget, dispatch_uid="feedback-kept-forget")
