"""Editors' back office: the working draft (tabbed English/Russian, history, compare,
revert, ordering, live preview) and the publication of editions."""

import datetime
from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, QuerySet
from django.forms import Textarea
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from modeltranslation.admin import TranslationAdmin
from reversion_compare.admin import CompareVersionAdmin

from accounts.roles import acting_user
from guidelines_portal.params import positive_int
from modules import pdf_services, selectors, services
from modules.forms import (
    EditionPublishForm,
    MarkdownPreviewForm,
    ModuleAdminForm,
    SectionAdminForm,
)
from modules.labels import utc_moment
from modules.markdown import render_markdown
from modules.models import (
    Edition,
    EditionCorrection,
    EditionPDF,
    Module,
    ReviewStatus,
    ScheduledPublication,
    ScheduleStatus,
    Section,
    SectionReplacement,
)

if TYPE_CHECKING:
    from typing import TypedDict

    from django_stubs_ext import WithAnnotations

    class SectionCount(TypedDict):
        num_sections: int


# Set on the request by the revision and recovery views, whose form saves an old version.
RESTORING = "portal_restoring_version"


class DraftAdmin(TranslationAdmin, CompareVersionAdmin):
    """Shared set-up for working-draft models: language tabs plus version history."""

    history_latest_first = True
    formfield_overrides = {
        models.TextField: {
            "widget": Textarea(
                attrs={
                    "rows": 18,
                    "class": "vLargeTextField markdown-field",
                    "data-preview-label": _("Preview"),
                }
            )
        }
    }

    class Media:
        js = ("admin-portal/language-tabs.js", "admin-portal/markdown-preview.js")

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="{}_{}_preview".format(*info),
            ),
            *super().get_urls(),
        ]

    @staticmethod
    def can_edit_source(request: HttpRequest) -> bool:
        """Editors edit everything; translators (no edit_source_text) only Russian fields."""
        return request.user.has_perm("modules.edit_source_text")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.can_edit_source(request):
            # Server-side: the admin ignores posted values of read-only fields.
            translated = set(self.trans_opts.all_fields)  # title, body: shown as their tabs
            readonly += [
                f.name
                for f in self.model._meta.fields
                if f.editable
                and not f.name.endswith("_ru")
                and f.name not in translated
                and f.name not in readonly
            ]
        return readonly

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # A revert rewrites every field, English included.
        if not self.can_edit_source(request):
            raise PermissionDenied
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.can_edit_source(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        # reversion puts back the version's whole revision before showing the form. Here a
        # revision may also hold the sections a move shifted or an import translated, whose
        # texts may have changed since: put back this object only, keeping its change stamps
        # (services.version_restore); the form then saves it, in a new revision.
        version.revision.revert = lambda delete=False: services.version_restore(version)
        # The form then saves a version put back (save_model tells the service so).
        setattr(request, RESTORING, True)
        return super()._reversion_revisionform_view(request, version, template_name, extra_context)

    def compare_view(self, request: HttpRequest, object_id: str, extra_context=None):
        # reversion-compare only checks staff status; versions are as private as the draft.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().compare_view(request, object_id, extra_context)

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """Render Markdown exactly as it will be published (sanitised), for the live preview."""
        if request.method != "POST":
            return JsonResponse({"error": "POST required"}, status=405)
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        form = MarkdownPreviewForm(request.POST)
        if not form.is_valid():
            return JsonResponse({"error": str(_("The text is too long to preview."))}, status=400)
        return JsonResponse(
            {"html": render_markdown(form.cleaned_data["text"], id_prefix="preview")}
        )


@admin.register(Module)
class ModuleAdmin(DraftAdmin):
    form = ModuleAdminForm
    list_display = ("code", "title", "kind", "order", "section_count")
    ordering = ("order", "code")
    fields = ("code", "slug", "kind", "order", "number_prefix", "title", "short_title", "summary")
    compare_exclude = (
        "title", "short_title", "summary", "summary_html", "summary_html_en", "summary_html_ru",
    )  # fmt: skip

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return [*fields, "edit_token"] if obj else fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(num_sections=Count("sections"))

    @admin.display(description=_("sections"), ordering="num_sections")
    def section_count(self, obj: "WithAnnotations[Module, SectionCount]") -> int:
        return obj.num_sections

    def save_model(self, request, obj, form, change) -> None:
        services.module_update(
            module=obj, changed_fields=set(form.changed_data), user=acting_user(request)
        )

    def delete_model(self, request, obj: Module) -> None:
        services.module_delete(module=obj, user=acting_user(request))

    def get_actions(self, request):
        # A bulk deletion runs inside the change list's revision, where the last state of a
        # deleted module cannot be recorded (services.module_delete): one at a time instead.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ClearanceFilter(admin.SimpleListFilter):
    """Sections by the review of their change since the latest edition: what awaits a
    reviewer, what is not approved yet (selectors.draft_overview), what is approved."""

    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("submitted", _("awaiting review")),
            ("not_approved", _("not approved")),
            ("approved", _("approved")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value not in ("submitted", "not_approved", "approved"):
            return queryset
        overview = selectors.draft_overview()
        changed = [*overview.added, *overview.changed]
        chosen = {
            "submitted": [s for s in changed if s.review == ReviewStatus.SUBMITTED],
            "not_approved": overview.not_approved,
            "approved": [s for s in changed if s.approved],
        }[str(value)]
        return queryset.filter(pk__in=[s.pk for s in chosen])


@admin.register(Section)
class SectionAdmin(DraftAdmin):
    list_display = ("number", "title", "module", "key", "move_buttons")
    list_display_links = ("number", "title")
    list_filter = ("module", ClearanceFilter)
    list_select_related = ("module",)
    search_fields = ("key", "number", "title_en", "title_ru")
    ordering = ("module__order", "sort_key")
    list_per_page = 100
    form = SectionAdminForm
    fields = (
        "module", "parent", "key", "position", "title", "body", "change_reason", "glossary_off"
    )  # fmt: skip
    autocomplete_fields = ("parent",)
    # Compare the texts editors write, once per language: the untranslated columns mirror
    # English, the HTML derives from the Markdown, and module and parent are not followed by
    # versions (moves show as position changes and comments).
    compare_exclude = (
        "module",
        "parent",
        "title",
        "body",
        "change_reason",
        "body_html",
        "body_html_en",
        "body_html_ru",
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name.startswith(("change_reason", "glossary_off")):  # a few short lines
            kwargs["widget"] = Textarea(attrs={"rows": 3, "class": "vLargeTextField"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # A key is forever, and a section never leaves its module (its URL would change).
        fixed = ["module", "key", "clearance"] if obj else []
        return fixed + [f for f in super().get_readonly_fields(request, obj) if f not in fixed]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is None:
            return fields
        return [*fields, "clearance", "edit_token"]

    @admin.display(description=_("review"))
    def clearance(self, obj: Section) -> str:
        state = selectors.section_clearance(obj)
        return format_html(
            '{} · <a href="{}">{}</a>',
            state.label,
            reverse("admin:modules_section_review", args=[obj.pk]),
            _("Open the review page"),
        )

    def get_list_display(self, request):
        display = super().get_list_display(request)
        return (
            display
            if self.can_edit_source(request)
            else [d for d in display if d != "move_buttons"]
        )

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The parent autocomplete only offers sections of the same module.
        module_id = positive_int(request.GET.get("module"))
        if request.GET.get("field_name") == "parent" and module_id is not None:
            queryset = queryset.filter(module_id=module_id)
        return queryset, may_have_duplicates

    @admin.display(description=_("order"))
    def move_buttons(self, obj: Section) -> str:
        return format_html(
            '<button type="submit" class="button move-button" formaction="{}" formmethod="post"'
            ' title="{}" aria-label="{}">↑</button> '
            '<button type="submit" class="button move-button" formaction="{}" formmethod="post"'
            ' title="{}" aria-label="{}">↓</button>',
            reverse("admin:modules_section_move", args=[obj.pk, "up"]),
            _("Move up"),
            _("Move %(number)s up") % {"number": obj.number},
            reverse("admin:modules_section_move", args=[obj.pk, "down"]),
            _("Move down"),
            _("Move %(number)s down") % {"number": obj.number},
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/move/<str:direction>/",
                self.admin_site.admin_view(require_POST(self.move_view)),
                name="modules_section_move",
            ),
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name="modules_section_review",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A section's change as it would be published, its clearance and its history: its
        authors submit it for review; someone else approves it or sends it back."""
        section = get_object_or_404(Section.objects.select_related("module"), pk=pk)
        if not self.has_view_permission(request, section):
            raise PermissionDenied
        may_submit = self.has_change_permission(request, section) and self.can_edit_source(request)
        may_review = request.user.has_perm("modules.review_change")
        if request.method == "POST":
            action = request.POST.get("action")
            if (
                not (may_submit or may_review)
                or (action == "submit" and not may_submit)
                or (action in ("approve", "return") and not may_review)
            ):
                raise PermissionDenied
            self._review_act(request, section, action, request.POST.get("comment", ""))
            return HttpResponseRedirect(request.path)
        state = selectors.section_clearance(section)
        own = request.user.pk in services.section_authors(section) or (
            state.review is not None and state.review.submitted_by_id == request.user.pk
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": section,
            "title": _("Review of %(section)s") % {"section": section},
            "state": state,
            "lang_diffs": selectors.draft_section_diffs(section),
            "reviews": section.reviews.select_related("submitted_by", "decided_by")[:20],
            "may_submit": may_submit,
            "may_review": may_review,
            "may_decide": may_review and state.status == ReviewStatus.SUBMITTED and not own,
        }
        return TemplateResponse(request, "admin/modules/section/review.html", context)

    def _review_act(self, request: HttpRequest, section: Section, action, comment: str) -> None:
        user = acting_user(request)
        done = {
            "submit": _("The change is submitted for review."),
            "approve": _("The change is approved."),
            "return": _("The change is sent back to its authors."),
        }
        if action not in done:
            messages.error(request, _("Choose what to do with the change."))
            return
        try:
            if action == "submit":
                services.section_submit(section=section, user=user)
            else:
                review = section.reviews.first()
                if review is None:
                    raise ValidationError(_("This change has not been submitted for review."))
                services.section_review_decide(
                    review=review, user=user, approve=action == "approve", comment=comment
                )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return
        messages.success(request, done[action])

    def move_view(self, request: HttpRequest, pk: int, direction: str) -> HttpResponse:
        section = get_object_or_404(Section, pk=pk)
        allowed = self.has_change_permission(request, section) and self.can_edit_source(request)
        if not allowed or direction not in ("up", "down"):
            raise PermissionDenied
        services.section_shift(
            section=section, offset=-1 if direction == "up" else 1, user=acting_user(request)
        )
        changelist = reverse("admin:modules_section_changelist")
        return HttpResponseRedirect(request.headers.get("Referer") or changelist)

    def save_model(self, request, obj: Section, form, change: bool) -> None:
        services.section_save(
            section=obj,
            changed_fields=set(form.changed_data),
            position=form.cleaned_data.get("position"),
            restoring=getattr(request, RESTORING, False),
            user=acting_user(request),
        )

    def delete_model(self, request, obj: Section) -> None:
        services.section_delete(section=obj, user=acting_user(request))

    def delete_queryset(self, request, queryset: QuerySet) -> None:
        services.sections_delete(sections=list(queryset), user=acting_user(request))


@admin.register(SectionReplacement)
class SectionReplacementAdmin(TranslationAdmin):
    """Where readers of a removed section are sent: its content's new home."""

    class Media:
        js = ("admin-portal/language-tabs.js",)

    list_display = ("removed_key", "replaced_by")
    search_fields = ("removed_key", "replaced_by__key", "replaced_by__title_en")
    autocomplete_fields = ("replaced_by",)
    fields = ("removed_key", "replaced_by", "note")


class EditionCorrectionInline(admin.TabularInline):
    """Corrections of the publication date (manage.py correct_edition_date), read only."""

    model = EditionCorrection
    fields = ("published_on_before", "published_on", "reason_en", "reason_ru", "corrected_by",
              "corrected_at")  # fmt: skip
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("modules.view_edition")  # whoever sees the edition


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    """Editions are published through the form below and never changed afterwards (but for a
    corrected publication date: manage.py correct_edition_date)."""

    list_display = ("number", "published_on", "published_by", "published_at", "view_link")
    fields = (
        "number",
        "published_on",
        "published_by",
        "published_at",
        "change_summary_en",
        "change_summary_ru",
        "override_reason",
    )
    readonly_fields = fields
    inlines = (EditionCorrectionInline,)
    add_form_template = "admin/modules/edition/publish.html"

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("on the site"))
    def view_link(self, obj: Edition) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("Read"))

    def get_urls(self):
        return [
            path(
                "scheduled/<int:pk>/cancel/",
                self.admin_site.admin_view(self.cancel_schedule_view),
                name="modules_edition_cancel_schedule",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        """The editions, and the one scheduled to be published next, if any."""
        waiting = ScheduledPublication.objects.waiting()
        if waiting is not None and request.method == "GET":
            messages.info(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("Edition %(number)s is scheduled to be published at %(moment)s.")
                    % {"number": waiting.number, "moment": utc_moment(waiting.publish_at)},
                    reverse("admin:modules_edition_add"),
                    _("See or cancel it"),
                ),
            )
        return super().changelist_view(request, extra_context)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        """Publishing in two steps: the form (every reason it cannot be published, at once),
        then a confirmation of exactly what will be published, at once or at a set moment
        (``publish_at``: the worker publishes it then). The confirmation carries the draft's
        fingerprint: if anyone edits the draft in between, nothing is published or scheduled
        and the editor is shown what would be published now, to confirm again."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = EditionPublishForm(
            request.POST or None, initial={"number": services.edition_number_suggestion()}
        )
        if request.method == "POST" and (repeated := self._repeated(request)) is not None:
            return repeated
        if request.method == "POST":
            _check_publication(form)
        confirming = request.method == "POST" and form.is_valid() and "back" not in request.POST
        if confirming and ("publish" in request.POST or "schedule" in request.POST):
            done = self._confirmed(request, form, request.POST.get("fingerprint", ""))
            if done is not None:
                return done
            # A reason at a field is mended on the form; the draft's own stay on this page.
            confirming = not any(form.has_error(name) for name in form.fields)
        # The latest scheduled publication: waiting, or failed with nothing published since.
        latest = ScheduledPublication.objects.select_related("scheduled_by").first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Publish a new edition"),
            "form": form,
            "draft": selectors.draft_overview(),
            "waiting": latest if latest and latest.status == ScheduleStatus.SCHEDULED else None,
            "waiting_by": _person(latest.scheduled_by) if latest else "",
            "failed": latest
            if latest
            and latest.status == ScheduleStatus.FAILED
            and not Edition.objects.filter(published_at__gt=latest.closed_at).exists()
            else None,
            "has_view_permission": self.has_view_permission(request),
        }
        if not confirming:
            return TemplateResponse(request, self.add_form_template, context)
        data = form.cleaned_data
        context |= {
            "title": _("Confirm the publication of edition %(number)s")
            % {"number": data["number"]},
            "fingerprint": services.draft_fingerprint(),
            "publish_at": data.get("publish_at"),
            # Rendered (and sanitised) as readers will see them.
            "summaries": [
                (
                    form[f"change_summary_{lang}"].label,
                    lang,
                    render_markdown(data[f"change_summary_{lang}"]),
                )
                for lang in ("en", "ru")
            ],
        }
        return TemplateResponse(request, PUBLISH_CONFIRM_TEMPLATE, context)

    def _confirmed(
        self, request: HttpRequest, form: EditionPublishForm, fingerprint: str
    ) -> HttpResponse | None:
        """Publish or schedule what the editor confirmed, and say so; None, with the reasons
        on the form, if it cannot be done. A second click once the first has done it (the same
        number and text, by the same person) is told the same."""
        data = {k: v for k, v in form.cleaned_data.items() if k != "publish_at"}
        publish_at = form.cleaned_data.get("publish_at")
        user = acting_user(request)
        if not fingerprint:  # a confirmation that did not come from the confirmation page
            form.add_error(None, _("Review what will be published, then confirm."))
            return None
        try:
            if publish_at is None:
                edition = services.edition_publish(
                    user=user, expected_fingerprint=fingerprint, **data
                )
                self.log_addition(request, edition, [{"added": {}}])
            else:
                del data["published_on"]
                services.edition_schedule(
                    user=user, publish_at=publish_at, expected_fingerprint=fingerprint, **data
                )
        except ValidationError as error:
            # Two clicks at once: the second waited for the first, which did it.
            if (repeated := self._repeated(request)) is not None:
                return repeated
            form.add_error(None, error)
            return None
        if publish_at is None:
            return self._published(request, data["number"])
        return self._scheduled(request, data["number"], publish_at)

    def _repeated(self, request: HttpRequest) -> HttpResponse | None:
        """The answer to a confirmation sent again once it was done (a double click, a
        reload): the same number and text, by the same person, already published or waiting."""
        number = request.POST.get("number", "").strip()
        fingerprint = request.POST.get("fingerprint", "")
        if not fingerprint:
            return None
        if (
            "publish" in request.POST
            and Edition.objects.filter(
                number=number, text_fingerprint=fingerprint, published_by=request.user.pk
            ).exists()
        ):
            return self._published(request, number)
        if "schedule" in request.POST:
            waiting = ScheduledPublication.objects.waiting()
            if waiting is not None and (
                waiting.number,
                waiting.fingerprint,
                waiting.scheduled_by_id,
            ) == (number, fingerprint, request.user.pk):
                return self._scheduled(request, number, waiting.publish_at)
        return None

    @staticmethod
    def _published(request: HttpRequest, number: str) -> HttpResponse:
        messages.success(request, _("Edition %(number)s is published.") % {"number": number})
        return HttpResponseRedirect(reverse("admin:modules_edition_changelist"))

    @staticmethod
    def _scheduled(request: HttpRequest, number: str, moment: datetime.datetime) -> HttpResponse:
        messages.success(
            request,
            _(
                "Edition %(number)s will be published at %(moment)s. You can cancel it here "
                "until then."
            )
            % {"number": number, "moment": utc_moment(moment)},
        )
        return HttpResponseRedirect(reverse("admin:modules_edition_add"))

    def cancel_schedule_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Cancel the scheduled publication ``pk`` (POST; whoever may publish may cancel)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        scheduled = get_object_or_404(ScheduledPublication, pk=pk)
        if services.edition_schedule_cancel(scheduled=scheduled, user=acting_user(request)):
            messages.success(
                request,
                _("The publication of edition %(number)s scheduled for %(moment)s is cancelled.")
                % {"number": scheduled.number, "moment": utc_moment(scheduled.publish_at)},
            )
        else:
            messages.warning(
                request,
                _("The publication of edition %(number)s was no longer scheduled: nothing changed.")
                % {"number": scheduled.number},
            )
        return HttpResponseRedirect(reverse("admin:modules_edition_add"))


def _person(user: User | None) -> str:
    if user is None:
        return str(_("someone no longer on the staff"))
    return user.get_full_name() or user.get_username()


PUBLISH_CONFIRM_TEMPLATE = "admin/modules/edition/publish_confirm.html"


def _check_publication(form: EditionPublishForm) -> None:
    """Add every reason the draft cannot be published so (edition_publish_check) to the form's
    own errors, for the fields the form could read: the editor sees them all at once."""
    form.is_valid()
    data = form.cleaned_data
    try:
        services.edition_publish_check(
            number=data.get("number", ""),
            # A scheduled edition's date is the day it is published (the form's clean).
            published_on=None if data.get("publish_at") else data.get("published_on"),
            change_summary_en=data.get("change_summary_en", ""),
            clearance=True,
            override_reason=data.get("override_reason", ""),
        )
    except ValidationError as error:
        for field, reasons in error.message_dict.items():
            if field == NON_FIELD_ERRORS:
                form.add_error(None, reasons)
            elif field not in form.errors:
                form.add_error(field, reasons)


@admin.register(EditionPDF)
class EditionPDFAdmin(admin.ModelAdmin):
    """The PDFs of published editions: built in the background; failures show their error."""

    list_display = ("edition", "module_slug", "language", "review", "status", "pages", "size",
                    "attempts", "built_at", "build_seconds")  # fmt: skip
    list_filter = ("status", "language", "review", "edition")
    readonly_fields = ("edition", "module_slug", "language", "review", "status", "filename", "pages",
                       "size", "sha256", "attempts", "error", "queued_at", "built_at",
                       "build_seconds")  # fmt: skip
    fields = readonly_fields
    actions = ("rebuild",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Build again"), permissions=["view"])
    def rebuild(self, request: HttpRequest, queryset: QuerySet) -> None:
        if not request.user.has_perm("modules.add_edition"):
            raise PermissionDenied
        count = pdf_services.pdfs_rebuild(pdfs=queryset)
        self.message_user(request, _("%(count)d PDFs queued.") % {"count": count})
