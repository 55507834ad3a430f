"""Two-step sign-in: checking a code, and confirming a new authenticator app.

Both lock the rows they decide on, so two requests carrying the same code at the same moment
(a phishing relay, a double click) cannot both sign in, and concurrent wrong guesses cannot
overwrite each other's throttle count.
"""

import datetime
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex


@dataclass(frozen=True)
class CodeCheck:
    device: TOTPDevice | None  # the device that accepted the code, else None
    throttled_until: datetime.datetime | None = None  # refused unchecked: too many wrong codes


SETUP_LINK_SALT = "accounts.setup-link"


def _setup_state(user: AbstractBaseUser) -> str:
    """Changes when the person sets up an app or changes their password: a link that was
    used, or sent before either, stops working."""
    devices = list(
        TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").values_list("pk")
    )
    return salted_hmac(SETUP_LINK_SALT, f"{user.pk}:{user.password}:{devices}").hexdigest()[:24]


def setup_link_path(*, user: AbstractBaseUser) -> str:
    """The path of a new set-up link for ``user``'s authenticator app (signed, expiring)."""
    value = f"{user.pk}:{_setup_state(user)}"
    token = signing.TimestampSigner(salt=SETUP_LINK_SALT).sign(value)
    return reverse("accounts:setup_link", kwargs={"token": token})


def setup_link_url(*, user: AbstractBaseUser) -> str:
    """A new set-up link as an administrator sends it: the site's public address and path."""
    return settings.PORTAL_BASE_URL.rstrip("/") + setup_link_path(user=user)


def setup_link_user(token: str) -> AbstractBaseUser | None:
    """The active staff member a set-up link is for, unless it is forged, expired or used."""
    max_age = datetime.timedelta(hours=settings.STAFF_SETUP_LINK_HOURS)
    try:
        value = signing.TimestampSigner(salt=SETUP_LINK_SALT).unsign(token, max_age=max_age)
    except signing.BadSignature:
        return None
    pk, _sep, state = value.partition(":")
    user = get_user_model().objects.filter(pk=pk, is_staff=True, is_active=True).first()
    if user is None or not constant_time_compare(state, _setup_state(user)):
        return None
    return user


def new_secret() -> str:
    """A fresh TOTP key (hex), for an authenticator app about to be set up."""
    return random_hex(20)


def unsaved_device(*, user: AbstractBaseUser, key: str) -> TOTPDevice:
    """The device a pending set-up would create, for its QR code and typed-in key."""
    return TOTPDevice(user=user, name=gettext("Authenticator app"), key=key, confirmed=False)


@transaction.atomic
def totp_check(*, user: AbstractBaseUser, code: str) -> CodeCheck:
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
def totp_enrol(*, user: AbstractBaseUser, key: str, code: str) -> TOTPDevice | None:
    """Confirm the app set up with ``key`` (kept in one sign-in session, never stored before):
    the device exists only once its first code is right. None when the code is wrong or the
    person already has an app (set up meanwhile in another session)."""
    # One set-up at a time per person: the second waits here, then finds the first's app.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
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
    return device
