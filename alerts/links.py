"""The links in alert messages: to confirm, to manage and to leave a subscription.

Each carries the subscriber's random key, signed with the site's secret (one salt per
purpose), so nothing secret is stored and an altered link is refused. Confirmation links
expire; the others last as long as the subscription (its row, and so its key, is deleted on
unsubscribe). A link says nothing about any other subscriber.
"""

import secrets

from django.core import signing
from django.urls import reverse
from django.utils import translation

from guidelines_portal.public_address import absolute_url

CONFIRM_SALT = "alerts.confirm"
MANAGE_SALT = "alerts.manage"
UNSUBSCRIBE_SALT = "alerts.unsubscribe"
# A confirmation link works this long; unconfirmed addresses are erased after it.
CONFIRM_MAX_AGE = 7 * 24 * 3600
# Longer than any token these functions make: anything longer is refused unread.
TOKEN_MAX_LENGTH = 120


def new_key() -> str:
    return secrets.token_urlsafe(16)


def confirm_token(key: str) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(key)


def manage_token(key: str) -> str:
    return signing.Signer(salt=MANAGE_SALT).sign(key)


def unsubscribe_token(key: str) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(key)


class Expired(Exception):
    """A genuine confirmation link, older than CONFIRM_MAX_AGE."""


def key_from(token: str, salt: str) -> str | None:
    """The key a token carries, or None when it is not one of ours (altered, truncated).
    Raises Expired for a genuine confirmation link that is too old."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    try:
        if salt == CONFIRM_SALT:
            return signing.TimestampSigner(salt=salt).unsign(token, max_age=CONFIRM_MAX_AGE)
        return signing.Signer(salt=salt).unsign(token)
    except signing.SignatureExpired as error:
        raise Expired from error
    except signing.BadSignature:
        return None


def url(name: str, token: str, language: str) -> str:
    """The absolute address of ``alerts:<name>`` with ``token``, in ``language``."""
    with translation.override(language):
        return absolute_url(reverse(f"alerts:{name}", kwargs={"token": token}))
