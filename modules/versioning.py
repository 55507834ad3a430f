"""django-reversion set-up for the working draft."""

from collections.abc import Iterator
from contextlib import contextmanager

import reversion
from django.contrib.auth.models import AbstractBaseUser

# Derived or bookkeeping fields: recomputed, never brought back by a revert.
_UNVERSIONED = ("number", "sort_key", "depth", "en_changed_at", "ru_changed_at")


def register_versioned_models() -> None:
    from modules.models import Module, Section

    for model in (Module, Section):
        if not reversion.is_registered(model):
            reversion.register(model, exclude=_UNVERSIONED)


@contextmanager
def revision(*, user: AbstractBaseUser | None, comment: str) -> Iterator[None]:
    """Record every change made inside the block as one revision (nested blocks merge)."""
    if reversion.is_active():
        yield
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        if comment:
            reversion.set_comment(comment)
        return
    with reversion.create_revision():
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(comment)
        yield
