"""The site's public address: every absolute link the portal writes is made here.

Pages, PDFs, e-mails, feeds, citations and the sitemap must not take the host from the
request (a proxy, a test client or a hostile Host header would otherwise decide what readers
copy and cite), so they all call `absolute_url` with a path, and `PORTAL_BASE_URL` says where
the portal is published (`make run` sets it from PORT).
"""

from django.conf import settings


def base_url() -> str:
    """The public address without a trailing slash, e.g. "https://guidelines.example.org"."""
    return settings.PORTAL_BASE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """`path` (starting with "/") as an address readers can follow from anywhere."""
    if not path.startswith("/"):
        raise ValueError(f"absolute_url() needs a path starting with '/', not {path!r}")
    return base_url() + path
