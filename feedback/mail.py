"""Composing feedback e-mail: each message in three templates (subject, text, HTML) under
``feedback/emails/``, rendered in the recipient's language (guidelines_portal.mail)."""

from django.core.mail import EmailMultiAlternatives

from guidelines_portal import mail
from guidelines_portal.mail import SEND_ERRORS

__all__ = ["SEND_ERRORS", "compose"]


def compose(
    template: str, *, to: list[str], language: str, context: dict
) -> EmailMultiAlternatives:
    """Render ``feedback/emails/<template>`` (subject, text, html) in ``language``."""
    return mail.compose(f"feedback/emails/{template}", to=to, language=language, context=context)
