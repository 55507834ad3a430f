"""What the feedback form makes once per process and keeps.

What is kept here depends only on the code, the templates, the translations and published
editions (which never change): the options listing an edition's parts, the countries, a form
nobody has filled in yet. Never anything of a reader's. It is kept per process, not in the
shared cache, so that a new release (new templates or translations) starts from nothing; in
development, a changed template or translation file empties it, as it does Django's own
template and translation caches.
"""

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

_kept: dict[Hashable, Any] = {}
_lock = threading.Lock()
# Per edition read (its modules, and its offer in each language) and per language (the lists
# and the blank fields): a few dozen entries, a few MB at most.
MAX_KEPT = 128


def kept(key: Hashable, make: Callable[[], T]) -> T:
    """The value kept under ``key``, made by ``make()`` the first time (``key`` must name
    everything the value depends on, the active language included)."""
    value = _kept.get(key)
    if value is None:
        value = make()
        with _lock:
            if len(_kept) >= MAX_KEPT:
                _kept.clear()
            _kept[key] = value
    return value


def forget(**kwargs: Any) -> None:
    """Drop everything kept: connected to the autoreloader's signal that a file changed."""
    with _lock:
        _kept.clear()
