import getpass

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import ensure_editors_group
from accounts.services import setup_link_url


class Command(BaseCommand):
    help = (
        "Create a back-office account in the Editors group (or add an existing user to it). "
        "The password is asked for, or read from the environment variable named by "
        "--password-env."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-env",
            metavar="VAR",
            help="Read the password from this environment variable instead of asking.",
        )

    @transaction.atomic
    def handle(self, *args, username: str, email: str, password_env: str | None, **options):
        import os

        group = ensure_editors_group()
        user, created = User.objects.get_or_create(username=username, defaults={"email": email})
        if created:
            password = os.environ.get(password_env, "") if password_env else self._ask()
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            user.set_password(password)
        user.is_staff = True
        user.save()
        user.groups.add(group)
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} editor {username!r}."))
        if settings.STAFF_TWO_FACTOR and not TOTPDevice.objects.filter(user=user).exists():
            hours = settings.STAFF_SETUP_LINK_HOURS
            self.stdout.write(
                f"Send them this set-up link for their authenticator app (valid {hours} hours, "
                f"until an app is set up with it):\n{setup_link_url(user=user)}"
            )

    def _ask(self) -> str:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        return password
