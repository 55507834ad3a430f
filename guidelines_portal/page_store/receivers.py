"""What makes stored pages out of date, connected in PortalConfig.ready().

A new edition changes every page (the current text, "a newer edition exists" on the older
ones): its pages are prepared by the worker under the next generation, then switched on at
once. A corrected date, a replacement note or a change to a comment's public response
changes some pages, as does a consultation round: the next generation starts and pages are
rendered again on request.
Each acts once the change is committed. It acts whenever pages are stored for this database,
whatever this process's own PAGE_STORE says: a `manage.py` command run with DEBUG on (the
store off) beside `make run`, or a one-off command with another environment in production,
still renews the pages the servers send. Nothing is done when nobody stores pages.
"""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from feedback.models import ConsultationRound, EventKind, Feedback, FeedbackEvent, RoundExtension
from guidelines_portal.page_store.store import store
from modules.models import EditionCorrection, SectionReplacement
from modules.signals import edition_published


def _in_use() -> bool:
    """Pages are stored for this database, by this process or by the servers."""
    return settings.PAGE_STORE or store.fresh_state() is not None


def _on_publication(sender: Any, **kwargs: Any) -> None:
    transaction.on_commit(_stage_new_edition)


def _stage_new_edition() -> None:
    from guidelines_portal.page_store.tasks import prepare_pages

    if _in_use():
        prepare_pages.enqueue(store.stage())


def _invalidate() -> None:
    if _in_use():
        store.invalidate()


def _on_change(sender: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        transaction.on_commit(_invalidate)


def _on_feedback_change(sender: Any, instance: Feedback, created: bool = False, **kwargs: Any):
    # A new comment is not public; a decision, a response or a publication choice may be.
    if not created:
        _on_change(sender, **kwargs)


def _on_feedback_event(sender: Any, instance: FeedbackEvent, **kwargs: Any) -> None:
    # Public texts, and the contributor's answer to the response, are changed with an update
    # (no save signal): their event says so. An answer is public only with a published
    # response to a publishable comment.
    if instance.kind == EventKind.RESPONSE:
        _on_change(sender, **kwargs)
    elif instance.kind == EventKind.ANSWER:
        item = instance.feedback
        if item.is_published and item.responded_in_id is not None:
            _on_change(sender, **kwargs)


def connect() -> None:
    edition_published.connect(_on_publication, dispatch_uid="page_store_publication")
    # A consultation round announced, changed or extended: the reading pages name it (and
    # are rendered again at its opening and closing: middleware.expire_at).
    for model in (EditionCorrection, SectionReplacement, ConsultationRound, RoundExtension):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"page_store_{model.__name__}")
        post_delete.connect(
            _on_change, sender=model, dispatch_uid=f"page_store_{model.__name__}_delete"
        )
    post_save.connect(_on_feedback_change, sender=Feedback, dispatch_uid="page_store_feedback")
    post_save.connect(
        _on_feedback_event, sender=FeedbackEvent, dispatch_uid="page_store_feedback_event"
    )
