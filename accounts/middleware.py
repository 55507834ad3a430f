"""Until a staff member has confirmed this sign-in with a code, the session is not a staff
session: every page but the code page and signing out sends them to the code page."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import Resolver404, resolve, reverse

# What a half-signed-in staff member may still reach.
OPEN_VIEWS = {"accounts:two_factor", "accounts:setup_link", "admin:logout", "health"}


class StaffTwoFactorMiddleware:
    """Runs after django-otp's OTPMiddleware, which gives ``request.user.is_verified()``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.STAFF_TWO_FACTOR
            and user.is_authenticated
            and user.is_staff
            and not user.is_verified()
            and not _is_open(request.path_info)
        ):
            return redirect_to_login(request.get_full_path(), reverse("accounts:two_factor"))
        return self.get_response(request)


def _is_open(path: str) -> bool:
    try:
        return resolve(path).view_name in OPEN_VIEWS
    except Resolver404:
        return False
