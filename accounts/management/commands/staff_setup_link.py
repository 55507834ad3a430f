from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import services


class Command(BaseCommand):
    help = (
        "Print a set-up link for a staff member's authenticator app: their first one, or a new "
        "one after an administrator removed a lost phone's (back office > TOTP devices). The "
        "link works once, in the browser they then sign in with, for STAFF_SETUP_LINK_HOURS. "
        "Send it to them by a channel other than the one that carries their password."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:
        user = get_user_model().objects.filter(username=username, is_staff=True).first()
        if user is None:
            raise CommandError(f"{username!r} is not a staff account.")
        hours = settings.STAFF_SETUP_LINK_HOURS
        self.stdout.write(
            f"Set-up link for {username}'s authenticator app (valid {hours} hours, until an "
            f"app is set up with it):\n{services.setup_link_url(user=user)}"
        )
