"""Composing feedback e-mail: each message in three templates (subject, text, HTML) under
``feedback/emails/``, rendered in the recipient's language."""

import smtplib

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

# What a failed send raises: the caller logs it and the message is tried again later.
SEND_ERRORS = (smtplib.SMTPException, OSError, ValueError)


def compose(
    template: str, *, to: list[str], language: str, context: dict
) -> EmailMultiAlternatives:
    """Render ``feedback/emails/<template>`` (subject, text, html) in ``language``."""
    with translation.override(language):
        subject = " ".join(
            render_to_string(f"feedback/emails/{template}_subject.txt", context).split()
        )
        text = render_to_string(f"feedback/emails/{template}.txt", context)
        html = render_to_string(f"feedback/emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, to=to)
    message.attach_alternative(html, "text/html")
    return message
