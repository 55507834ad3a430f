"""Composing e-mail: each message in three templates (subject, text, HTML), rendered in the
recipient's language. Every app that writes to people (feedback, alerts) composes here."""

import smtplib

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

# What a failed send raises: the caller logs it and the message is tried again later.
SEND_ERRORS = (smtplib.SMTPException, OSError, ValueError)


def compose(
    template: str,
    *,
    to: list[str],
    language: str,
    context: dict,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """Render ``<template>_subject.txt``, ``<template>.txt`` and ``<template>.html`` in
    ``language`` (``template`` is a path under the templates, e.g. "alerts/emails/confirm")."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(subject, text, to=to, headers=headers)
    message.attach_alternative(html, "text/html")
    return message
