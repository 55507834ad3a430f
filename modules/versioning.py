"""django-reversion set-up for the working draft."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext

import reversion
from django.contrib.auth.models import User
from django.db import models

# Derived or bookkeeping fields: recomputed, never brought back by a revert.
_UNVERSIONED = ("number", "sort_key", "depth", "en_changed_at", "ru_changed_at")


def register_versioned_models() -> None:
    from modules.models import Module, Section

    for model in (Module, Section):
        if not reversion.is_registered(model):
            reversion.register(model, exclude=_UNVERSIONED)


@contextmanager
def revision(*, user: User | None, comment: str) -> Iterator[None]:
    """Record every change made inside the block as one revision.

    Nested blocks merge into the enclosing revision. User and comment are set when the block
    ends, so the outermost block's win: it describes the whole (a bulk deletion, not its
    last section).
    """
    with nullcontext() if reversion.is_active() else reversion.create_revision():
        yield
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        if comment:
            reversion.set_comment(comment)


def record(objects: Iterable[models.Model], *, comment: str) -> None:
    """Put rows written without save() into the revision.

    bulk_update() and QuerySet.update() send no post_save signal, so reversion never sees the
    rows they change. They join the active revision, or become a revision of their own.
    """
    objects = list(objects)
    if not objects:
        return
    with nullcontext() if reversion.is_active() else revision(user=None, comment=comment):
        for obj in objects:
            reversion.add_to_revision(obj)


def record_before_deletion(obj: models.Model, *, user: User | None, comment: str) -> None:
    """Record the last state of a row that is about to be deleted, as its own revision.

    reversion keeps only versions of rows that still exist when a revision is saved, so the
    deletion itself leaves no version: this one, saved just before, tells who deleted the row
    and why, and is what the admin's recover list offers to bring back. Inside another
    revision it would be discarded the same way, hence refused.
    """
    if reversion.is_active():
        raise reversion.RevisionManagementError(
            f"Delete {obj!r} outside any revision, or its last state is lost."
        )
    with revision(user=user, comment=comment):
        reversion.add_to_revision(obj)
