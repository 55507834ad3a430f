from django.core.management.base import BaseCommand, CommandError

from modules import pdf_services
from modules.models import LANGS, Edition, EditionPDF, PDFStatus


class Command(BaseCommand):
    help = (
        "Build (or rebuild) the PDFs of an edition now, in this process: the whole guidelines "
        "and each module, in each language. For operations; the worker does this by itself."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("number", help="The edition number, e.g. 1.1.")
        parser.add_argument("--language", choices=LANGS, help="Only this language.")
        parser.add_argument("--module", default=None, help='Only this module slug ("" = whole).')
        parser.add_argument(
            "--force", action="store_true", help="Rebuild PDFs that are already ready."
        )
        parser.add_argument("--dry-run", action="store_true", help="Only list what would be built.")

    def handle(self, *args, number: str, language, module, force, dry_run, **options) -> None:
        edition = Edition.objects.by_number(number)
        if edition is None:
            raise CommandError(f"There is no edition {number}.")
        slugs = ["", *edition.modules.order_by("order").values_list("slug", flat=True)]
        if module is not None:
            if module not in slugs:
                raise CommandError(f"Edition {number} has no module {module!r}.")
            slugs = [module]
        failed = 0
        for slug in slugs:
            for lang in [language] if language else LANGS:
                label = f"{number} {slug or 'whole'} {lang}"
                if dry_run:  # look only: nothing is created or queued
                    existing = EditionPDF.objects.filter(
                        edition=edition, language=lang, module_slug=slug
                    ).first()
                    status = existing.get_status_display() if existing else "not requested yet"
                    self.stdout.write(f"{label}: {status}")
                    continue
                pdf = pdf_services.pdf_request(edition=edition, language=lang, module_slug=slug)
                if pdf.status == PDFStatus.READY and not force:
                    self.stdout.write(f"{label}: {pdf.get_status_display()}")
                    continue
                built = pdf_services.pdf_build(pdf_id=pdf.pk, force=True)
                if built is None or built.status != PDFStatus.READY:
                    failed += 1
                    self.stderr.write(f"{label}: failed")
                else:
                    self.stdout.write(
                        f"{label}: {built.filename}, {built.pages} pages, "
                        f"{built.size // 1024} KB, {built.build_seconds} s"
                    )
        if failed:
            raise CommandError(f"{failed} PDFs failed; see the errors in the back office.")
