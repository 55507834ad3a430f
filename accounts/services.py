"""Two-step sign-in: checking a code, confirming a new authenticator app (or one replacing a
lost phone's), and backup codes.

Both lock the rows they decide on, so two requests carrying the same code at the same moment
(a phishing relay, a double click) cannot both sign in, and concurrent wrong guesses cannot
overwrite each other's throttle count.
"""

import base64
import datetime
import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from accounts.models import SetupLink
from guidelines_portal.tokens import new_token, token_digest


@dataclass(frozen=True)
class CodeCheck:
    device: Device | None  # the device that accepted the code, else None
    throttled_until: datetime.datetime | None = None  # refused unchecked: too many wrong codes


@transaction.atomic
def setup_link_issue(*, user: User) -> str:
    """A new set-up link for ``user``'s authenticator app: returns its path. It replaces the
    person's earlier unused links; only a digest of its token is stored."""
    SetupLink.objects.filter(user=user, used_at__isnull=True).delete()
    token = new_token()
    SetupLink.objects.create(user=user, digest=token_digest(token))
    return reverse("accounts:setup_link", kwargs={"token": token})


def setup_link_url(*, user: User) -> str:
    """A new set-up link as an administrator sends it: the site's public address and path."""
    return settings.PORTAL_BASE_URL.rstrip("/") + setup_link_issue(user=user)


def setup_link_find(token: str) -> SetupLink | None:
    """The usable link behind ``token``, or None (unknown, used, expired or replaced)."""
    if not token or len(token) > 200:
        return None
    return (
        SetupLink.objects.usable().select_related("user").filter(digest=token_digest(token)).first()
    )


def setup_link_allows(*, user: User, link_id: object) -> bool:
    """Whether the link opened in this browser (its id, kept in the session) still lets
    ``user`` set up an app."""
    return (
        isinstance(link_id, int)
        and SetupLink.objects.usable().filter(pk=link_id, user=user).exists()
    )


def new_secret() -> str:
    """A fresh TOTP key (hex), for an authenticator app about to be set up."""
    return random_hex(20)


def unsaved_device(*, user: User, key: str) -> TOTPDevice:
    """The device a pending set-up would create, for its QR code and typed-in key."""
    return TOTPDevice(user=user, name=gettext("Authenticator app"), key=key, confirmed=False)


@transaction.atomic
def totp_check(*, user: User, code: str) -> CodeCheck:
    """Check a code against the person's confirmed authenticator app (a code works once)."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=True)
        .order_by("pk")
        .first()
    )
    if device is None:
        return CodeCheck(device=None)
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return CodeCheck(device=None, throttled_until=(details or {}).get("locked_until"))
    return CodeCheck(device=device if device.verify_token(code) else None)


@transaction.atomic
def totp_enrol(*, user: User, key: str, code: str, link_id: int | None = None) -> TOTPDevice | None:
    """Confirm the app set up with ``key`` (kept in one sign-in session, never stored before):
    the device exists only once its first code is right, and the set-up link ``link_id`` is
    then used up. None when the code is wrong, the link no longer allows it, or the person
    already has an app (set up meanwhile in another session)."""
    # One set-up at a time per person: the second waits here, then finds the first's app.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return None
    if not setup_link_allows(user=user, link_id=link_id):
        return None
    device = unsaved_device(user=user, key=key)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(code), device.tolerance):
        return None
    device.last_t = totp.t()  # this code is spent
    device.confirmed = True
    device.full_clean()
    device.save()
    # Pending devices left by the earlier design (a stored, reused secret) go.
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    if link_id is not None:
        SetupLink.objects.filter(pk=link_id).update(used_at=timezone.now())
    return device


@transaction.atomic
def totp_replace(*, user: User, key: str, code: str) -> TOTPDevice | None:
    """Replace the person's authenticator app with the one set up with ``key`` (a lost or new
    phone), once its first code is right; the old app's codes stop working at once, and so do
    the sessions it confirmed. None when the code is wrong."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    device = unsaved_device(user=user, key=key)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(code), device.tolerance):
        return None
    device.last_t = totp.t()
    device.confirmed = True
    device.full_clean()
    TOTPDevice.objects.filter(user=user).delete()
    device.save()
    return device


# --- Backup codes ------------------------------------------------------------------------
# Codes of 16 letters and digits from the base32 alphabet (80 bits, no 0/1/8/9 to misread),
# shown once in groups of four. django-otp keeps static tokens as typed; here its token column
# (16 characters) holds a digest instead: 80 bits of SHA-256 over the code and its owner, so
# that nobody who reads the database, a backup or the back office can sign in with them, and
# one pass over a stolen table cannot attack every account's codes at once. No server secret
# goes in, so a new SECRET_KEY leaves the codes working.

BACKUP_CODE_LENGTH = 16
_BACKUP_CODE = re.compile(rf"[a-z2-7]{{{BACKUP_CODE_LENGTH}}}")


def normalise_backup_code(typed: str) -> str | None:
    """The code as stored before digesting (lower case, without spaces or hyphens), or None
    when ``typed`` cannot be a backup code."""
    code = re.sub(r"[\s\-\u2010-\u2015]", "", typed or "").lower()
    return code if _BACKUP_CODE.fullmatch(code) else None


def backup_code_digest(user_id: int, code: str) -> str:
    digest = hashlib.sha256(f"backup-code:{user_id}:{code}".encode("ascii")).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:16]


def _new_backup_code() -> str:
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()


def display_backup_code(code: str) -> str:
    """``abcdefghijkmnpqr`` as the person reads and types it: ``abcd-efgh-ijkm-npqr``."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def backup_codes_issue(*, user: User) -> tuple[list[str], StaticDevice]:
    """A new set of backup codes for ``user``, replacing any earlier ones: returns them for
    showing once (only their digests are kept) and the new device holding them. The earlier
    codes' device goes, and with it every session signed in with one of them (a leaked sheet
    of codes); the caller moves its own session to the new device when it was one of them."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    # The devices first, as a sign-in with a code locks them, then their tokens: never the
    # other way round (two requests at once would wait on each other).
    earlier = list(StaticDevice.objects.select_for_update().filter(user=user))
    StaticDevice.objects.filter(pk__in=[d.pk for d in earlier]).delete()
    device = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
    codes = [_new_backup_code() for _ in range(settings.BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=backup_code_digest(user.pk, code)) for code in codes
    )
    return [display_backup_code(code) for code in codes], device


def backup_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def backup_code_check(*, user: User, typed: str) -> CodeCheck:
    """Sign-in with a backup code: each code works once (it is deleted as it is used)."""
    device = (
        StaticDevice.objects.select_for_update()
        .filter(user=user, confirmed=True)
        .order_by("pk")
        .first()
    )
    code = normalise_backup_code(typed)
    if device is None or code is None:
        return CodeCheck(device=None)
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return CodeCheck(device=None, throttled_until=(details or {}).get("locked_until"))
    accepted = device.verify_token(backup_code_digest(user.pk, code))
    return CodeCheck(device=device if accepted else None)
