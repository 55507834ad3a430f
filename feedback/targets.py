"""What a comment is about: the one owner of it.

The feedback form offers the parts of the edition being read (the whole text, a module, a
section) as values of its "about" field; `EditionParts` makes those values and reads them back
into a `Target`, which `services.feedback_submit` takes as it is. A target names the place
twice: as the reader saw it (the section's key and number in that edition) and as the working
draft holds it (the rows feedback is linked to, which outlive editions).

A published edition never changes: what the form offers of it, with the options that list
it, is made once per process and language and kept (`edition_offer`, feedback.kept), so a
form page costs no query for it and renders no template per option.
"""

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from feedback.kept import kept
from feedback.widgets import KeptChoices, KeptOptions
from modules import selectors as content
from modules.labels import section_number
from modules.models import Edition, EditionModule, EditionSection, Module, Section

WHOLE = "all"
_SECTION, _MODULE = "section", "module"


@dataclass(frozen=True)
class Target:
    """The place a comment is about (nothing set: the guidelines as a whole)."""

    module: Module | None = None
    section: Section | None = None
    section_key: str = ""
    section_number: str = ""
    paragraph: int | None = None

    @classmethod
    def of_section(cls, section: Section, paragraph: int | None = None) -> "Target":
        """A section of the working draft, numbered as it is now."""
        return cls(section.module, section, section.key, section.number, paragraph)


def is_section(value: str) -> bool:
    """Whether an "about" value names a section (only then may it name a paragraph)."""
    return (value or "").startswith(f"{_SECTION}:")


@dataclass(frozen=True)
class Offer:
    """What the form offers of a published edition, in one language: the edition's modules,
    the "about" field's choices and their options written out, and the section each
    section choice names."""

    modules: tuple[EditionModule, ...]
    choices: KeptChoices
    options: KeptOptions
    sections: dict[str, EditionSection]

    @classmethod
    def of(cls, edition: Edition) -> "Offer":
        """The whole text, then per module the module and each of its sections (one query,
        and one for the modules unless they are kept)."""
        modules = edition_modules(edition)
        sections = list(EditionSection.objects.filter(edition=edition).outline())
        by_module: dict[int, list[EditionSection]] = {}
        for section in sections:
            by_module.setdefault(section.module_id, []).append(section)
        choices: list = [(WHOLE, _("The guidelines as a whole"))]
        for module in modules:
            options = [
                (
                    f"{_MODULE}:{module.slug}",
                    _("%(module)s: the module as a whole") % {"module": module.short_title},
                )
            ]
            options += [
                (f"{_SECTION}:{s.key}", f"{section_number(s.number)} {s.title}")
                for s in by_module.get(module.pk, [])
            ]
            choices.append((module.short_title, options))
        return cls(
            tuple(modules),
            KeptChoices(choices),
            KeptOptions.write(choices),
            {s.key: s for s in sections},
        )


def _edition_key(edition: Edition) -> tuple:
    # Its id alone could name another edition in a database restored from a backup.
    return (edition.pk, edition.published_at, edition.text_fingerprint)


def edition_modules(edition: Edition) -> list[EditionModule]:
    """A published edition's modules (for content.get_reading and navigation): fetched once
    per process and kept, since a published edition never changes (feedback.kept)."""
    modules = kept(
        ("modules", *_edition_key(edition)), lambda: tuple(content.get_edition_modules(edition))
    )
    return list(modules)


def edition_offer(edition: Edition) -> Offer:
    """What the form offers of ``edition``: made once per process and language, and kept
    under the edition, since a published edition never changes (feedback.kept)."""
    return kept(("offer", *_edition_key(edition), get_language()), lambda: Offer.of(edition))


class EditionParts:
    """The modules and sections of an edition, as the feedback form offers them: the form's
    choices, and the target each choice stands for (no query once the edition's offer is
    kept, see `edition_offer`)."""

    def __init__(self, edition: Edition) -> None:
        self.edition = edition
        self.offer = edition_offer(edition)
        self.modules = list(self.offer.modules)

    def value_for(self, *, module: str = "", section: str = "") -> str:
        """The "about" value for a module slug or section key; 404 when the edition has none."""
        if section:
            if section not in self.offer.sections:
                raise Http404(_("This edition has no section “%(key)s”.") % {"key": section})
            return f"{_SECTION}:{section}"
        if module:
            content.get_module(self.modules, module)
            return f"{_MODULE}:{module}"
        return WHOLE

    def target(self, value: str, paragraph: int | None = None) -> Target:
        """The target an "about" value the form validated stands for, with the working
        draft's module and section of the same slug and key (none once removed there)."""
        kind, _sep, name = value.partition(":")
        if kind == _SECTION:
            seen = self.offer.sections[name]
            draft = Section.objects.select_related("module").filter(key=seen.key).first()
            module = draft.module if draft else self._draft_module(seen.module_id)
            return Target(module, draft, seen.key, seen.number, paragraph)
        if kind == _MODULE:
            return Target(
                Module.objects.filter(slug=content.get_module(self.modules, name).slug).first()
            )
        return Target()

    def _draft_module(self, edition_module_id: int) -> Module | None:
        slug = next(m.slug for m in self.modules if m.pk == edition_module_id)
        return Module.objects.filter(slug=slug).first()
