"""Defences for public forms: who is asking, how often, and from which site.

Rate limits count in Django's cache, so they hold across server processes when the cache is
shared (Redis in production); with the local-memory cache they hold per process.
"""

import contextlib
import hashlib
import ipaddress
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

security_log = logging.getLogger("guidelines_portal.security")


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the address our own proxies saw.

    Behind TRUSTED_PROXY_COUNT reverse proxies, each appending the address it received from
    to X-Forwarded-For, the client is the entry that many places from the right; anything
    further left was written by the client and is not trusted. A missing or malformed entry
    falls back to REMOTE_ADDR (the nearest proxy), which errs towards limiting more, not less.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def client_ip_address(request: HttpRequest) -> str | None:
    """client_ip() for columns that hold an address (django-axes): None when there is none,
    as in a request built by a test client or a management command."""
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _rate_key(scope: str, identity: str) -> str:
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def rate_limited(scope: str, identity: str, *, limit: int, window: int) -> bool:
    """Count one more hit for ``identity``; True once over ``limit`` within ``window`` seconds
    of its first counted hit.

    The window starts at the first hit (the counter expires ``window`` seconds later; an
    increment keeps the expiry), so no burst gets more than ``limit`` through, as one could
    across the boundary of windows fixed to the clock. A limit of 0 turns the limit off.
    Identities are hashed, so no address is kept in the cache in clear.
    """
    if limit <= 0:
        return False
    key = _rate_key(scope, identity)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=window)
        count = 1
    if count > limit:
        security_log.warning("Rate limit reached: scope=%s", scope)
        return True
    return False


def rate_refund(scope: str, identity: str) -> None:
    """Take back the hit just counted (an attempt that turned out to be legitimate)."""
    with contextlib.suppress(ValueError):  # the window has just ended: nothing to take back
        cache.decr(_rate_key(scope, identity))


def _allowed_origins(request: HttpRequest) -> set[str]:
    own = f"{request.scheme}://{request.get_host()}"
    return {own, *settings.CSRF_TRUSTED_ORIGINS}


def is_same_origin_post(request: HttpRequest) -> bool:
    """Whether a POST comes from the site's own pages, without relying on a CSRF cookie.

    Browsers say where a request comes from (Sec-Fetch-Site, Origin): a form on a page that a
    cache served to a first-time visitor still works, and a form on another site does not.
    Clients that send neither header fall back to Django's CSRF token check.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is not None:
        parts = urlsplit(origin)
        return f"{parts.scheme}://{parts.netloc}" in _allowed_origins(request)
    # No browser metadata: the classic token and cookie pair.
    check = CsrfViewMiddleware(_unused_view)
    return check.process_view(request, _unused_view, (), {}) is None


def _unused_view(request: HttpRequest) -> HttpResponse:
    """What CsrfViewMiddleware wants as its next step and as the view: the check runs neither."""
    return HttpResponse(status=204)
