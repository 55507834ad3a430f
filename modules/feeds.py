"""Atom feeds (RFC 4287) of editions: all of them, and per module what each edition changed.

Every link is absolute from the public address (never the request's host), and every id is
a tag URI (RFC 4151) fixed in code, so a feed reader keeps its entries when the portal moves
to another address. Feeds answer conditional requests: published editions never change, so a
feed changes only with a new edition or a corrected publication date.
"""

import datetime
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.syndication.views import Feed
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import condition

from guidelines_portal.public_address import absolute_url, base_url
from modules.citations import CORPORATE_AUTHOR
from modules.comparison import SectionChange, compare_sections
from modules.models import Edition, EditionModule, EditionSection, active_language

if TYPE_CHECKING:
    from typing import TypedDict

    from django_stubs_ext import WithAnnotations

    class _Corrections(TypedDict):
        last_corrected: datetime.datetime | None

    # An edition with the date of its latest correction (annotated by the feeds' queries).
    CorrectedEdition = WithAnnotations[Edition, _Corrections]

FEED_SIZE = 50
# Ids of feeds and entries: "tag:" + an authority and a date, then a path of our own. Fixed
# here for good (not derived from PORTAL_BASE_URL or the Host): changing it would make every
# feed reader show every entry again as new.
TAG_PREFIX = "tag:un.org,2022:technical-guidelines-2370"
# Part of every ETag: bump it when the feeds' layout changes, so readers fetch them again.
FEED_FORMAT = 2


def tag_uri(*parts: str) -> str:
    """A permanent id, e.g. tag:un.org,2022:technical-guidelines-2370/en/editions/1.0."""
    return "/".join([TAG_PREFIX, *parts])


def _day(date: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(date, datetime.time(), tzinfo=datetime.UTC)


@dataclass(frozen=True)
class FeedState:
    """What a feed's validators derive from: every edition and every date correction."""

    etag: str
    last_modified: datetime.datetime | None


def feed_state(*parts: str) -> FeedState:
    """The validators of the feed named by ``parts`` in the active language (one query)."""
    stats = Edition.objects.order_by().aggregate(
        edition_count=Count("pk", distinct=True),
        last_published=Max("published_at"),
        correction_count=Count("corrections", distinct=True),
        last_corrected=Max("corrections__corrected_at"),
    )
    key = "|".join(
        str(value)
        for value in (FEED_FORMAT, base_url(), active_language(), *parts, *stats.values())
    )
    stamps = [stats["last_published"], stats["last_corrected"]]
    return FeedState(
        etag=hashlib.sha256(key.encode("utf-8")).hexdigest()[:32],
        last_modified=max((s for s in stamps if s is not None), default=None),
    )


class PortalFeed(Feed):
    """Atom, in the reader's language, with the publishing body as author and validators."""

    feed_type: type[Atom1Feed] = Atom1Feed

    def author_name(self) -> str:
        return str(CORPORATE_AUTHOR)  # the publisher, as citations name it

    def author_link(self) -> str:
        return absolute_url(reverse("modules:home"))

    def state_parts(self, obj) -> tuple[str, ...]:
        raise NotImplementedError

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Django's Feed sets Last-Modified from the entries and takes the host from the
        # request; here the object is fetched once, and the validators come from feed_state.
        obj = self.get_object(request, *args, **kwargs)
        state = feed_state(*self.state_parts(obj))

        @condition(
            etag_func=lambda request, *a, **k: state.etag,
            last_modified_func=lambda request, *a, **k: state.last_modified,
        )
        def respond(request: HttpRequest) -> HttpResponse:
            feed = self.get_feed(obj, request)
            response = HttpResponse(content_type=self.feed_type.content_type)
            feed.write(response, "utf-8")
            return response

        return respond(request)


class EditionsFeed(PortalFeed):
    def state_parts(self, obj) -> tuple[str, ...]:
        return ("editions",)

    def title(self) -> str:
        return _("Technical guidelines: new editions")

    def subtitle(self) -> str:
        return _("Each new edition of the Technical guidelines, with its summary of changes.")

    def link(self) -> str:
        return absolute_url(reverse("modules:edition_list"))

    def feed_url(self) -> str:
        return absolute_url(reverse("modules:edition_feed"))

    def feed_guid(self) -> str:
        return tag_uri(active_language(), "editions")

    def items(self):
        return Edition.objects.published().annotate(
            last_corrected=Max("corrections__corrected_at")
        )[:FEED_SIZE]

    def item_title(self, item: Edition) -> str:
        return _("Edition %(number)s") % {"number": item.number}

    def item_description(self, item: Edition) -> str:
        return item.change_summary_html

    def item_link(self, item: Edition) -> str:
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item: Edition) -> str:
        return tag_uri(active_language(), "editions", item.number)

    def item_pubdate(self, item: Edition) -> datetime.datetime:
        return _day(item.published_on)

    def item_updateddate(self, item: "CorrectedEdition") -> datetime.datetime:
        """The publication date, or the latest correction of it if there was one."""
        return max(d for d in (_day(item.published_on), item.last_corrected) if d is not None)


@dataclass
class ModuleEdition:
    """What one edition changed in one module: its sections, and its title or summary."""

    edition: "CorrectedEdition"
    previous: Edition | None  # the edition before it, None when the module first appeared
    module: EditionModule
    changes: list[SectionChange]
    summary_changed: bool
    section_count: int


@dataclass
class ModuleHistory:
    module: EditionModule  # as it stands in the newest edition that has it
    entries: list[ModuleEdition]


def module_history(slug: str) -> ModuleHistory:
    """Every edition that changed the module ``slug``, newest first (three queries)."""
    editions = list(
        Edition.objects.order_by("major", "minor").annotate(
            last_corrected=Max("corrections__corrected_at")
        )
    )
    modules = {m.edition_id: m for m in EditionModule.objects.filter(slug=slug)}
    if not modules:
        raise Http404(_("There is no module “%(slug)s”.") % {"slug": slug})
    sections: dict[int, list[EditionSection]] = {}
    for section in EditionSection.objects.filter(module__slug=slug).outline():
        sections.setdefault(section.edition_id, []).append(section)
    entries, before = [], None
    for edition in editions:
        module = modules.get(edition.pk)
        if module is not None:
            entry = _module_edition(edition, before, modules, sections)
            if entry is not None:
                entries.append(entry)
        before = edition
    newest = next(modules[e.pk] for e in reversed(editions) if e.pk in modules)
    return ModuleHistory(module=newest, entries=list(reversed(entries))[:FEED_SIZE])


SUMMARY_FIELDS = ("title_en", "title_ru", "summary_html_en", "summary_html_ru")


def _module_edition(
    edition: "CorrectedEdition",
    previous: Edition | None,
    modules: dict[int, EditionModule],
    sections: dict[int, list[EditionSection]],
) -> ModuleEdition | None:
    """What ``edition`` changed in the module since ``previous``; None if nothing did."""
    module = modules[edition.pk]
    new = sections.get(edition.pk, [])
    old_module = modules.get(previous.pk) if previous is not None else None
    if previous is None or old_module is None:
        return ModuleEdition(edition, None, module, [], False, len(new))
    comparison = compare_sections(
        old=sections.get(previous.pk, []),
        new=new,
        old_modules=[old_module],
        new_modules=[module],
        older_number=previous.number,
        newer_number=edition.number,
    )
    changes = list(comparison.changes())
    summary_changed = any(
        getattr(module, name) != getattr(old_module, name) for name in SUMMARY_FIELDS
    )
    if not changes and not summary_changed:
        return None
    return ModuleEdition(edition, previous, module, changes, summary_changed, len(new))


class ModuleEditionsFeed(PortalFeed):
    """Per module, each edition that changed it: which sections, linked to the comparison."""

    def get_object(self, request: HttpRequest, module: str) -> ModuleHistory:
        return module_history(module)

    def state_parts(self, obj: ModuleHistory) -> tuple[str, ...]:
        return ("modules", obj.module.slug)

    def title(self, obj: ModuleHistory) -> str:
        return _("Technical guidelines, %(module)s: editions that changed it") % {
            "module": obj.module.short_title
        }

    def subtitle(self, obj: ModuleHistory) -> str:
        return _(
            "Each edition that changed %(module)s: the sections added, changed or removed."
        ) % {"module": obj.module.title}

    def link(self, obj: ModuleHistory) -> str:
        return absolute_url(reverse("modules:module", kwargs={"module": obj.module.slug}))

    def feed_url(self, obj: ModuleHistory) -> str:
        return absolute_url(reverse("modules:module_feed", kwargs={"module": obj.module.slug}))

    def feed_guid(self, obj: ModuleHistory) -> str:
        return tag_uri(active_language(), "modules", obj.module.slug, "editions")

    def items(self, obj: ModuleHistory) -> list[ModuleEdition]:
        return obj.entries

    def item_title(self, item: ModuleEdition) -> str:
        return _("Edition %(number)s: what changed in %(module)s") % {
            "number": item.edition.number,
            "module": item.module.short_title,
        }

    def item_description(self, item: ModuleEdition) -> str:
        return render_to_string(
            "modules/_feed_module_changes.html",
            {"entry": item, "links": [(c, _section_change_url(item, c)) for c in item.changes]},
        )

    def item_link(self, item: ModuleEdition) -> str:
        """The comparison with the previous edition at this module, or, for the edition in
        which the module first appeared, the module as it stood then."""
        if item.previous is None:
            kwargs = {"edition": item.edition.number, "module": item.module.slug}
            return absolute_url(reverse("modules:edition_module", kwargs=kwargs))
        kwargs = {"older": item.previous.number, "newer": item.edition.number}
        return absolute_url(reverse("modules:compare", kwargs=kwargs)) + (
            f"#module-{item.module.slug}"
        )

    def item_guid(self, item: ModuleEdition) -> str:
        return tag_uri(
            active_language(), "modules", item.module.slug, "editions", item.edition.number
        )

    def item_pubdate(self, item: ModuleEdition) -> datetime.datetime:
        return _day(item.edition.published_on)

    def item_updateddate(self, item: ModuleEdition) -> datetime.datetime:
        corrected = item.edition.last_corrected
        return max(d for d in (_day(item.edition.published_on), corrected) if d is not None)


def _section_change_url(item: ModuleEdition, change: SectionChange) -> str:
    kwargs = {"older": item.previous.number, "newer": item.edition.number, "key": change.key}  # type: ignore[union-attr]
    return absolute_url(reverse("modules:section_change", kwargs=kwargs))
