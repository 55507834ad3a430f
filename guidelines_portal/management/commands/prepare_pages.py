from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from guidelines_portal.page_store.prepare import prepare_and_switch
from guidelines_portal.page_store.store import store


class Command(BaseCommand):
    help = (
        "Render the current edition's published pages into the page store (both languages) "
        "and serve them: after a deploy, or to warm a new host. Older editions' pages are "
        "stored on their first request."
    )

    def handle(self, *args, **options) -> None:
        if not settings.PAGE_STORE:
            raise CommandError("PAGE_STORE is off: pages are rendered on every request.")
        store.begin()
        generation = store.stage()
        result = prepare_and_switch(generation)
        self.stdout.write(
            f"Generation {generation}: {result.pages} pages prepared, "
            f"then {result.files} files to take away (EPUB, DOCX)."
        )
        if result.failed:
            raise CommandError(f"Not prepared: {', '.join(result.failed)}")
