"""Atom feeds of editions: all of them, and per module the editions that changed it."""

import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from modules.models import Edition, EditionModule, EditionSection

FEED_SIZE = 50


class EditionsFeed(Feed):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("Technical guidelines: new editions")

    def subtitle(self) -> str:
        return _("Each new edition of the Technical guidelines, with its summary of changes.")

    def link(self) -> str:
        return reverse("modules:edition_list")

    def items(self):
        return Edition.objects.published()[:FEED_SIZE]

    def item_title(self, item: Edition) -> str:
        return _("Edition %(number)s") % {"number": item.number}

    def item_description(self, item: Edition) -> str:
        return item.change_summary_html

    def item_link(self, item: Edition) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Edition):
        return datetime.datetime.combine(item.published_on, datetime.time(), tzinfo=datetime.UTC)

    def item_updateddate(self, item: Edition):
        return self.item_pubdate(item)


class ModuleEditionsFeed(EditionsFeed):
    """Editions in which this module's text changed (one query for the whole history)."""

    def get_object(self, request: HttpRequest, module: str) -> EditionModule:
        found = (
            EditionModule.objects.filter(slug=module)
            .order_by("-edition__major", "-edition__minor")
            .first()
        )
        if found is None:
            raise Http404(_("There is no module “%(slug)s”.") % {"slug": module})
        return found

    def title(self, obj: EditionModule) -> str:
        return _("Technical guidelines, %(module)s: editions that changed it") % {
            "module": obj.short_title
        }

    def link(self, obj: EditionModule) -> str:
        return reverse("modules:module", kwargs={"module": obj.slug})

    def items(self, obj: EditionModule):
        editions = list(Edition.objects.order_by("major", "minor"))
        rows = EditionSection.objects.filter(module__slug=obj.slug).values_list(
            "edition_id", "key", "text_hash"
        )
        states: dict[int, set] = {e.pk: set() for e in editions}
        for edition_id, key, text_hash in rows:
            states[edition_id].add((key, text_hash))
        changed, before = [], None
        for edition in editions:
            if states[edition.pk] and states[edition.pk] != before:
                changed.append(edition)
            before = states[edition.pk]
        return list(reversed(changed))[:FEED_SIZE]
