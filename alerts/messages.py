"""The alert messages themselves: one per subscriber, in their language, listing what
changed in what they follow, with the change summary and a link to each section's change.
Every message carries the links to manage the subscription and to leave it in one click."""

import datetime
import itertools
from collections.abc import Callable

from django.core.mail import EmailMultiAlternatives

from alerts import links, selectors, services
from alerts.models import Subscriber
from guidelines_portal.mail import compose
from modules.models import Edition

Composer = Callable[[Subscriber, list[tuple[str, str]]], EmailMultiAlternatives | None]


def _edition_context(changes: selectors.EditionChanges, lines: list, lang: str) -> dict:
    """One edition's part of a message, in ``lang`` only (the templates pick nothing)."""
    edition = changes.edition
    groups = [
        {
            "title": group.title,
            "lines": [
                {
                    "number": line.number[lang],
                    "title": line.title[lang],
                    "labels": ", ".join(line.labels(lang)),
                    "reason": line.reason[lang],
                    "url": line.url[lang],
                }
                for line in group.lines
            ],
        }
        for group in selectors.by_module(lines, lang)
    ]
    return {
        "edition": edition,
        "previous": changes.previous,
        "summary": getattr(edition, f"change_summary_{lang}", "") or edition.change_summary_en,
        "summary_html": getattr(edition, f"change_summary_html_{lang}", "")
        or edition.change_summary_html_en,
        "groups": groups,
        "count": len(lines),
    }


def _links(subscriber: Subscriber) -> dict:
    lang = subscriber.language
    return {
        "manage_url": links.url("manage", links.manage_token(subscriber.key), lang),
        "unsubscribe_url": links.url("unsubscribe", links.unsubscribe_token(subscriber.key), lang),
    }


def _message(template: str, subscriber: Subscriber, context: dict) -> EmailMultiAlternatives:
    return compose(
        f"alerts/emails/{template}",
        to=[subscriber.email],
        language=subscriber.language,
        context={**context, **_links(subscriber)},
        headers=services.unsubscribe_headers(subscriber),
    )


def for_edition(changes: selectors.EditionChanges) -> Composer:
    """Compose each subscriber's message about one new edition."""

    def compose_for(subscriber: Subscriber, follows: list[tuple[str, str]]):
        lines = selectors.followed_lines(changes.lines, follows)
        if not lines:
            return None
        context = _edition_context(changes, lines, subscriber.language)
        return _message("edition", subscriber, context)

    return compose_for


def for_week(until: datetime.datetime) -> Composer:
    """Compose each weekly subscriber's digest: the editions published since their last."""
    published = list(Edition.objects.published().filter(published_at__lte=until))
    pairs = list(itertools.pairwise(published))  # (edition, previous): newest first
    known: dict[int, selectors.EditionChanges] = {}

    def changes_of(edition: Edition, previous: Edition) -> selectors.EditionChanges:
        if edition.pk not in known:
            known[edition.pk] = selectors.edition_changes(edition, previous)
        return known[edition.pk]

    def compose_for(subscriber: Subscriber, follows: list[tuple[str, str]]):
        since = subscriber.digest_since
        editions = []
        for edition, previous in reversed(pairs):  # oldest first
            if since is not None and edition.published_at <= since:
                continue
            changes = changes_of(edition, previous)
            lines = selectors.followed_lines(changes.lines, follows)
            if lines:
                editions.append(_edition_context(changes, lines, subscriber.language))
        if not editions:
            return None
        return _message("digest", subscriber, {"editions": editions})

    return compose_for
