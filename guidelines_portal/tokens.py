"""Secrets that travel in links (tracking pages, set-up links): made here, and kept in the
database only as digests, so that nobody who reads it, a backup or the back office can use
them."""

import hashlib
import secrets


def new_token() -> str:
    """An unguessable token for a link (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps of a token: its SHA-256 (any string, even a malformed one)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
