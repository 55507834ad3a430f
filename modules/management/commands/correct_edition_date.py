import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from modules import services
from modules.models import Edition


class Command(BaseCommand):
    help = (
        "Correct the publication date of a published edition (its text never changes). The "
        "correction, with the date as first given, the reason and who made it, is kept beside "
        "the edition and shown to readers on the edition's page and the list of editions; the "
        "edition's PDFs are built again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("number", help="The edition number, e.g. 1.1.")
        parser.add_argument("date", help="The right publication date, YYYY-MM-DD.")
        parser.add_argument("--reason", required=True, help="Why, in English (shown to readers).")
        parser.add_argument("--reason-ru", default="", help="Why, in Russian.")
        parser.add_argument("--user", required=True, help="The username of who corrects it.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check everything, then change nothing."
        )

    def handle(self, *args, number, date, reason, reason_ru, user, dry_run, **options) -> None:
        edition = Edition.objects.by_number(number)
        if edition is None:
            raise CommandError(f"There is no edition {number}.")
        try:
            published_on = datetime.date.fromisoformat(date)
        except ValueError:
            raise CommandError(f"{date!r} is not a date of the form YYYY-MM-DD.") from None
        account = get_user_model().objects.filter(username=user, is_staff=True).first()
        if account is None or not account.has_perm("modules.add_edition"):
            raise CommandError(f"{user!r} is not a staff account that may publish editions.")
        before = edition.published_on
        try:
            with transaction.atomic():
                services.edition_correct_date(
                    edition=edition,
                    published_on=published_on,
                    reason_en=reason,
                    reason_ru=reason_ru,
                    user=account,
                )
                if dry_run:
                    transaction.set_rollback(True)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        verb = "Would correct" if dry_run else "Corrected"
        self.stdout.write(f"{verb} edition {number}: {before} -> {published_on}.")
