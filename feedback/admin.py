"""The editors' triage queue: filters, search, assignment, notes, decisions, bulk status
changes and CSV export. Every change goes through feedback.services, so it is kept in the
item's history; nothing is ever deleted."""

from functools import partial
from typing import cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter

from accounts.roles import acting_user, staff_with_permission
from feedback import selectors, services, table_views, triage
from feedback.csv import csv_response
from feedback.forms import (
    FeedbackAdminForm,
    RoundAdminForm,
    SectionFeedbackAdminForm,
    StatusForm,
)
from feedback.models import (
    ACCEPTED_STATUSES,
    PENDING_STATUSES,
    REFERENCE_PATTERN,
    RESTRICTED_TEXT_PERMISSION,
    CommentTable,
    ConsultationRound,
    Feedback,
    FeedbackEvent,
    ResponseTemplate,
    Source,
    Workshop,
    restricted_notice,
)
from guidelines_portal.params import positive_int
from modules.admin import RESTORING
from modules.admin import SectionAdmin as ContentSectionAdmin
from modules.diff import rewording
from modules.models import Section

CONTRIBUTION = services.CONTRIBUTION_FIELDS
ORIGIN = ("source", "workshop", "source_detail", "received_on", "edition", "language")
PLACE = ("module", "section", "paragraph")
TRIAGE = ("status", "duplicate_of", "assigned_to", "note")
RESPONSE = services.PUBLIC_TEXT_FIELDS
PUBLICATION = services.PUBLICATION_FIELDS
# Shown instead of a restricted original to staff who may not read it.
RESTRICTED_FIELDS = {"comment": "restricted_comment", "proposed_wording": "restricted_wording"}
TEXT_LOOKUPS = frozenset(
    {"comment", "proposed_wording", "redacted_comment", "redacted_proposed_wording"}
)
ANSWER = ("answer", "answer_text", "answered_at")
RECORD_FIELDS = (*ORIGIN, *PLACE, *CONTRIBUTION)
EXPORT_COLUMNS = (
    _("Reference"), _("Received on"), _("Source"), _("Status"), _("Incorporated in"),
    _("Edition read"), _("Language"), _("Module"), _("Section"), _("Paragraph"), _("Type"),
    _("Comment"), _("Proposed wording"), _("Submitter category"), _("Country"), _("Name"),
    _("Organisation"), _("E-mail"), _("May be named"), _("May be published"), _("Publication"),
    _("Assigned to"), _("Response (English)"), _("Response (Russian)"),
)  # fmt: skip


def _yes_no(value: bool) -> str:
    """A yes or no in the reader's language (a spreadsheet shows Python's True/False as is)."""
    return str(_("Yes") if value else _("No"))


def _export_row(f: Feedback, *, restricted_readable: bool) -> list:
    hidden = f.is_restricted and not restricted_readable
    comment, wording = (
        (restricted_notice(), restricted_notice() if f.proposed_wording else "")
        if hidden
        else (f.comment, f.proposed_wording)
    )
    return [
        f.reference, f.received_on, f.get_source_display(), f.get_status_display(),
        f.incorporated_in.number if f.incorporated_in else "",
        f.edition.number if f.edition else "", f.language,
        f.module.code if f.module else "",
        f.section.number if f.section else f.section_number, f.paragraph or "",
        f.get_kind_display(), comment, wording, f.get_category_display(),
        f.country.name if f.country else "", f.name, f.organisation, f.email,
        _yes_no(f.may_name), _yes_no(f.publishable), f.get_confidentiality_display(),
        f.assigned_to.get_username() if f.assigned_to else "",
        f.response_en, f.response_ru,
    ]  # fmt: skip


class AssignedFilter(admin.SimpleListFilter):
    title = _("assigned to")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("Me")), ("nobody", _("Nobody"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class CommentTableFilter(admin.SimpleListFilter):
    """The comment tables items were recorded from (the newest first)."""

    title = _("comment table")
    parameter_name = "table"
    SHOWN = 20

    def lookups(self, request, model_admin):
        tables = CommentTable.objects.filter(confirmed_at__isnull=False).order_by("-confirmed_at")
        chosen = positive_int(self.value())
        shown = list(tables[: self.SHOWN])
        if chosen is not None and chosen not in {t.pk for t in shown}:
            shown += list(tables.filter(pk=chosen))
        return [(str(t.pk), f"{t.file_name} ({t.received_on:%Y-%m-%d})") for t in shown]

    def queryset(self, request, queryset):
        chosen = positive_int(self.value())
        if self.value() and chosen is None:
            raise IncorrectLookupParameters
        return queryset.filter(comment_table_id=chosen) if chosen is not None else queryset


class SectionFilter(admin.SimpleListFilter):
    """Sections of the module chosen in the module filter (a list of every section is too
    long to use)."""

    title = _("section")
    parameter_name = "section__id__exact"

    def lookups(self, request, model_admin):
        module = positive_int(request.GET.get("module__id__exact"))
        chosen = positive_int(request.GET.get(self.parameter_name))
        sections = Section.objects.order_by("sort_key")
        if module is not None:
            sections = sections.filter(module_id=module)
        elif chosen is not None:
            sections = sections.filter(pk=chosen)
        else:
            return []
        return [(str(s.pk), str(s)) for s in sections]

    def queryset(self, request, queryset):
        section = positive_int(self.value())
        return queryset if section is None else queryset.filter(section_id=section)


class ProgressFilter(admin.SimpleListFilter):
    title = _("progress")
    parameter_name = "progress"

    def lookups(self, request, model_admin):
        return [
            ("open", _("Open (to decide, or accepted and not yet published)")),
            ("to_decide", _("To decide")),
            ("awaiting_change", _("Accepted, change not yet published")),
            ("incorporated", _("Incorporated in an edition")),
        ]

    def queryset(self, request, queryset):
        return {
            "open": lambda: queryset.open(),
            "to_decide": lambda: queryset.filter(status__in=PENDING_STATUSES),
            "awaiting_change": lambda: queryset.awaiting_change(),
            "incorporated": lambda: queryset.filter(incorporated_in__isnull=False),
        }.get(self.value() or "", lambda: queryset)()


class FeedbackEventInline(admin.TabularInline):
    model = FeedbackEvent
    fields = ("at", "actor", "kind", "old_status", "new_status", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("History (status changes, assignments, notes, public texts, e-mail)")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        # Whoever may see an item sees its history.
        return request.user.has_perm("feedback.view_feedback")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    form = FeedbackAdminForm
    list_display = (
        "reference", "received_on", "status_label", "kind", "about", "category", "country",
        "source", "assigned_to",
    )  # fmt: skip
    list_filter = (
        ProgressFilter, "status", "kind", "category", ("country", CountryFilter), "source",
        "module", SectionFilter, "edition", "round", "workshop", CommentTableFilter, "late",
        "answer", "confidentiality", AssignedFilter,
    )  # fmt: skip
    search_fields = ("=reference", "name", "organisation", "email", "comment")
    list_select_related = ("section", "module", "assigned_to", "incorporated_in", "workshop")
    # Counting every item on each page is what slows a long list: count the filtered ones only.
    show_full_result_count = False
    list_per_page = 50
    ordering = ("-created_at", "-pk")
    autocomplete_fields = ("duplicate_of", "section")
    inlines = (FeedbackEventInline,)
    actions = ("assign_to_me", "change_status", "export_selected")
    view_on_site = False  # an item has no public page; only its contributor holds its link

    # --- What is shown and editable ---------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # recording feedback received outside the site
            return [
                (_("Where it came from"), {"fields": ORIGIN}),
                (_("What it is about"), {"fields": PLACE}),
                (_("The comment"), {"fields": CONTRIBUTION}),
                (_("Triage"), {"fields": ("assigned_to", "note")}),
            ]
        # Read first, then decide. A restricted original is named, not shown, to staff who
        # may not read it.
        contribution: tuple[str, ...] = (*CONTRIBUTION, "proposed_compared")
        if obj.is_restricted and not request.user.has_perm(RESTRICTED_TEXT_PERMISSION):
            contribution = tuple(RESTRICTED_FIELDS.get(name, name) for name in CONTRIBUTION)
        return [
            (None, {"fields": ("reference", "progress")}),
            (_("The text as the contributor read it"), {"fields": ("as_read", "same_place")}),
            (_("The comment"), {"fields": contribution}),
            (_("What it is about"), {"fields": (*PLACE, "section_number")}),
            (_("Triage and decision"), {"fields": (*TRIAGE, "edit_token")}),
            (_("Public response"), {"fields": (*RESPONSE, *ANSWER)}),
            (_("Publication"), {"fields": PUBLICATION}),
            (
                _("Where it came from"),
                {
                    "fields": (
                        *ORIGIN,
                        "comment_table_origin",
                        "round",
                        "late",
                        "created_at",
                        "acknowledged_at",
                    )
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        fixed = ["reference", "progress", "section_number", "created_at", "acknowledged_at"]
        fixed += ["as_read", "same_place", "proposed_compared"]
        fixed += ["round", "late", "comment_table_origin"]  # set when the comment arrived
        fixed += list(ANSWER)  # the contributor's, through their tracking link
        # The contributor's own words and origin are never rewritten by the back office.
        fixed += [*CONTRIBUTION, *ORIGIN, "paragraph", *RESTRICTED_FIELDS.values()]
        if not request.user.has_perm(RESTRICTED_TEXT_PERMISSION):
            fixed += list(PUBLICATION)  # writing a redacted form needs the original
        if obj.is_incorporated:
            fixed += ["module", "section"]
        return fixed

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        for name in ("module", "section", "duplicate_of", "edition", "assigned_to", "workshop"):
            widget = form.base_fields[name].widget if name in form.base_fields else None
            # Pick existing rows only: no adding, changing or deleting them from here.
            for flag in ("can_add_related", "can_change_related", "can_delete_related"):
                if widget is not None and hasattr(widget, flag):
                    setattr(widget, flag, False)
        if obj is None:
            source = cast(forms.ChoiceField, form.base_fields["source"])
            source.choices = [c for c in Source.choices if c[0] != Source.WEB]
            form.base_fields["received_on"].initial = timezone.localdate
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = staff_with_permission("feedback.change_feedback").order_by(
                "username"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # feedback is never deleted; spam is a status

    def lookup_allowed(self, lookup: str, value: str, request=None) -> bool:
        # Nor filtering on them by hand (?comment__icontains=...): for whoever may not read
        # restricted text, no lookup touches the words of a comment.
        field = lookup.split("__", 1)[0]
        if field in TEXT_LOOKUPS and not (
            request is not None and request.user.has_perm(RESTRICTED_TEXT_PERMISSION)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        # Searching the comments' words would tell who may not read restricted text what
        # the restricted ones say.
        fields = super().get_search_fields(request)
        if request.user.has_perm(RESTRICTED_TEXT_PERMISSION):
            return fields
        return tuple(name for name in fields if name != "comment")

    @admin.display(description=_("comment"))
    def restricted_comment(self, obj: Feedback) -> str:
        return restricted_notice()

    @admin.display(description=_("proposed wording"))
    def restricted_wording(self, obj: Feedback) -> str:
        return restricted_notice() if obj.proposed_wording else "—"

    @admin.display(description=_("comment table"))
    def comment_table_origin(self, obj: Feedback) -> str:
        """The uploaded table the item was recorded from: file, checksum, who uploaded it."""
        table = obj.comment_table
        if table is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>, {} ({})<br><span class="help">SHA-256 {}</span>',
            reverse("admin:feedback_feedback_table", args=[table.pk]),
            table.file_name,
            table.uploaded_by.get_full_name() or table.uploaded_by.get_username(),
            timezone.localtime(table.uploaded_at).strftime("%Y-%m-%d %H:%M"),
            table.checksum,
        )

    # --- The text the item is about, and the other items on it -----------------------

    def _as_read(self, obj: Feedback) -> selectors.AsRead | None:
        """Read once per page: three fields show parts of it."""
        if not hasattr(obj, "_as_read_cache"):
            obj._as_read_cache = selectors.as_read(obj)  # type: ignore[attr-defined]
        return cast(selectors.AsRead | None, obj._as_read_cache)  # type: ignore[attr-defined]

    @admin.display(description=_("text as read"))
    def as_read(self, obj: Feedback) -> str:
        return render_to_string(
            "admin/feedback/feedback/_as_read.html", {"read": self._as_read(obj), "item": obj}
        )

    @admin.display(description=_("proposed wording, compared"))
    def proposed_compared(self, obj: Feedback) -> str:
        read = self._as_read(obj)
        if not obj.proposed_wording or read is None or not read.paragraph_text:
            return "—"
        compared = rewording(read.paragraph_text, obj.proposed_wording)
        if compared is None:
            return str(
                _("Not a rewording of the paragraph (new or added text): read it as written above.")
            )
        return format_html(
            '<div class="feedback-compare" lang="{}">{}</div>',
            obj.language,
            mark_safe(compared),  # noqa: S308  # nosec: escaped by rewording()
        )

    @admin.display(description=_("other comments on it"))
    def same_place(self, obj: Feedback) -> str:
        return render_to_string(
            "admin/feedback/feedback/_same_place.html",
            {"items": selectors.same_place(obj), "item": obj},
        )

    def get_search_results(self, request, queryset, search_term):
        # A reference number finds its item through the unique index, not a text scan.
        term = search_term.strip().upper()
        if REFERENCE_PATTERN.fullmatch(term):
            return queryset.filter(reference=term), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj: Feedback) -> str:
        if obj.incorporated_in:
            return str(_("Incorporated in %(number)s") % {"number": obj.incorporated_in.number})
        return obj.get_status_display()

    @admin.display(description=_("about"))
    def about(self, obj: Feedback) -> str:
        if obj.section_id:
            return Truncator(str(obj.section)).chars(60)
        if obj.section_number:
            return str(_("%(number)s (removed)") % {"number": obj.section_number})
        return obj.module.short_title if obj.module else str(_("The guidelines as a whole"))

    @admin.display(description=_("progress"))
    def progress(self, obj: Feedback) -> str:
        if obj.incorporated_in:
            return str(
                _("Incorporated in edition %(number)s.") % {"number": obj.incorporated_in.number}
            )
        if obj.status in ACCEPTED_STATUSES and obj.addressed_at:
            return str(
                _(
                    "A change to the section is recorded; it will be incorporated when the next edition is published."
                )
            )
        if obj.status in ACCEPTED_STATUSES:
            return str(_("Accepted: record the change while editing the section."))
        if obj.responded_in:
            return str(
                _("Response published with edition %(number)s.")
                % {"number": obj.responded_in.number}
            )
        return obj.get_status_display()

    # --- Saving through the services --------------------------------------------------

    def save_model(self, request, obj: Feedback, form, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            recorded = services.feedback_record(
                user=acting_user(request),
                note=data.get("note", ""),
                assigned_to=data.get("assigned_to"),
                **{name: data[name] for name in RECORD_FIELDS if name in data},
            )
            obj.pk, obj.reference, obj.created_at = (
                recorded.pk,
                recorded.reference,
                recorded.created_at,
            )
            obj._state.adding = False
            return
        services.feedback_triage(
            feedback=obj,
            stored=form.instance_before,
            note=data.get("note", ""),
            user=acting_user(request),
        )

    # --- Actions and the CSV export ---------------------------------------------------

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = sum(
            services.feedback_assign(
                feedback=item, assignee=acting_user(request), user=acting_user(request)
            )
            for item in queryset
        )
        self.message_user(request, _("%(count)d items assigned to you.") % {"count": count})

    @admin.action(description=_("Change status…"), permissions=["change"])
    def change_status(self, request: HttpRequest, queryset: QuerySet):
        form = StatusForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            changed, refused = services.feedback_bulk_status(
                items=queryset,
                status=form.cleaned_data["status"],
                user=acting_user(request),
                notify=form.cleaned_data["notify"],
            )
            self.message_user(request, _("%(count)d items changed.") % {"count": changed})
            for item, error in refused:
                reason = " ".join(error.messages)
                self.message_user(request, f"{item.reference}: {reason}", messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Change the status of %(count)d items") % {"count": queryset.count()},
            "form": form,
            "items": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/feedback/feedback/change_status.html", context)

    @admin.action(description=_("Export selected items as CSV"), permissions=["view"])
    def export_selected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponseBase:
        return self._export(request, queryset)

    def get_urls(self):
        return [
            path(
                "triage/",
                self.admin_site.admin_view(partial(triage.triage_view, self)),
                name="feedback_feedback_triage",
            ),
            path(
                "<path:object_id>/decide/",
                self.admin_site.admin_view(partial(triage.decide_view, self)),
                name="feedback_feedback_decide",
            ),
            path(
                "tables/upload/",
                self.admin_site.admin_view(partial(table_views.upload_view, self)),
                name="feedback_feedback_table_upload",
            ),
            path(
                "tables/<int:pk>/",
                self.admin_site.admin_view(partial(table_views.table_view, self)),
                name="feedback_feedback_table",
            ),
            path(
                "export.csv",
                self.admin_site.admin_view(self.export_view),
                name="feedback_feedback_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponseBase:
        """The list as filtered and searched on the page, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:  # as the list itself does: "?e=1" says so
            return HttpResponseRedirect(reverse("admin:feedback_feedback_changelist") + "?e=1")
        return self._export(request, changelist.get_queryset(request))

    def _export(self, request: HttpRequest, queryset: QuerySet) -> StreamingHttpResponse:
        items = queryset.select_related(
            "edition", "module", "section", "assigned_to", "incorporated_in"
        ).order_by("created_at", "pk")
        readable = request.user.has_perm(RESTRICTED_TEXT_PERMISSION)
        rows = (
            _export_row(f, restricted_readable=readable) for f in items.iterator(chunk_size=2000)
        )
        name = f"feedback_{timezone.localdate():%Y-%m-%d}.csv"
        return csv_response(name, EXPORT_COLUMNS, rows)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "export_url": reverse("admin:feedback_feedback_export"),
            "triage_url": reverse("admin:feedback_feedback_triage"),
            "table_upload_url": reverse("admin:feedback_feedback_table_upload")
            if self.has_add_permission(request)
            else "",
        }
        return super().changelist_view(request, extra_context)


# --- The feedback part of the content app's section form -----------------------------------
# modules never imports feedback: the section admin is registered again here, with the link
# to the feedback on the section and the accepted items a change may address.

admin.site.unregister(Section)


@admin.register(Section)
class SectionAdmin(ContentSectionAdmin):
    form = SectionFeedbackAdminForm

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "feedback_on_section"] if obj else fields

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is None:
            return fields
        fields.insert(fields.index("edit_token"), "feedback_on_section")
        if (
            self.can_edit_source(request)
            and Feedback.objects.awaiting_change().filter(section=obj).exists()
        ):
            fields.append("addresses_feedback")
        return fields

    @admin.display(description=_("feedback"))
    def feedback_on_section(self, obj: Section) -> str:
        url = reverse("admin:feedback_feedback_changelist")
        return format_html(
            '<a href="{}?section__id__exact={}&amp;progress=open">{}</a>',
            url,
            obj.pk,
            _("Open feedback on this section"),
        )

    def save_model(self, request, obj: Section, form, change: bool) -> None:
        offered = change and "addresses_feedback" in form.fields and self.can_edit_source(request)
        services.section_save_addressing(
            section=obj,
            changed_fields=set(form.changed_data),
            items=form.cleaned_data["addresses_feedback"] if offered else None,
            position=form.cleaned_data.get("position"),
            restoring=getattr(request, RESTORING, False),
            user=acting_user(request),
        )


# --- Consultation rounds -------------------------------------------------------------------


@admin.register(ConsultationRound)
class ConsultationRoundAdmin(admin.ModelAdmin):
    form = RoundAdminForm
    list_display = ("title_en", "edition", "scope", "opens_at", "closes_at", "state", "items")
    list_filter = ("edition",)
    search_fields = ("title_en", "title_ru")
    readonly_fields = ("extensions_made", "created_by", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("edition")
            .prefetch_related("modules")
            .annotate(item_count=Count("items"))
        )

    def get_fieldsets(self, request, obj=None):
        when = ["opens_at", "closes_at", "late_comments"]
        if obj is not None:
            when += ["extension_reason_en", "extension_reason_ru", "extensions_made"]
        return [
            (None, {"fields": ["title_en", "title_ru", "description_en", "description_ru"]}),
            (_("Text under consultation"), {"fields": ["edition", "whole_text", "modules"]}),
            (_("Dates"), {"fields": when}),
            (_("Contact"), {"fields": ["contact_email"]}),
            *([(_("Record"), {"fields": ["created_by", "created_at"]})] if obj else []),
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            fields.append("edition")
            if obj.opens_at <= timezone.now():  # opened: its opening and scope are settled
                fields += ["opens_at", "whole_text", "modules"]
        return fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a round's comments keep pointing at it; nothing is deleted

    @admin.display(description=_("scope"))
    def scope(self, obj: ConsultationRound) -> str:
        if obj.whole_text:
            return str(_("the whole text"))
        return ", ".join(m.code for m in obj.modules.all())

    @admin.display(description=_("state"))
    def state(self, obj: ConsultationRound) -> str:
        now = timezone.now()
        if obj.opens_at > now:
            return str(_("upcoming"))
        return str(_("open")) if obj.is_open_at(now) else str(_("closed"))

    @admin.display(description=_("comments"), ordering="item_count")
    def items(self, obj: ConsultationRound) -> str:
        url = reverse("admin:feedback_feedback_changelist")
        count = getattr(obj, "item_count", 0)  # annotated by get_queryset
        return format_html('<a href="{}?round__id__exact={}">{}</a>', url, obj.pk, count)

    @admin.display(description=_("deadline extensions"))
    def extensions_made(self, obj: ConsultationRound) -> str:
        rows = [
            format_html(
                "<li>{} → {}: {}</li>",
                f"{x.closes_at_before:%Y-%m-%d %H:%M} UTC",
                f"{x.closes_at:%Y-%m-%d %H:%M} UTC",
                x.reason_en,
            )
            for x in obj.extensions.all()
        ]
        return format_html("<ul>{}</ul>", mark_safe("".join(rows))) if rows else "–"  # noqa: S308  # nosec: each row escaped by format_html

    def save_model(self, request, obj: ConsultationRound, form, change: bool) -> None:
        data = form.cleaned_data
        texts = {name: data[name] for name in services.ROUND_TEXT_FIELDS if name in data}
        if not change:
            created = services.round_open(
                edition=data["edition"], opens_at=data["opens_at"], closes_at=data["closes_at"],
                whole_text=data["whole_text"], modules=data.get("modules") or [],
                user=acting_user(request), **texts,
            )  # fmt: skip
            # The admin logs and links the object it passed in: make it the round created.
            obj.pk = created.pk
            obj.refresh_from_db()
            return
        current = ConsultationRound.objects.get(pk=obj.pk)
        if current.opens_at > timezone.now():  # not open yet: dates and scope as given
            services.round_update(
                consultation=current, opens_at=data.get("opens_at"),
                closes_at=data.get("closes_at"), whole_text=data.get("whole_text"),
                modules=data.get("modules"), **texts,
            )  # fmt: skip
            return
        services.round_update(consultation=current, **texts)
        if "closes_at" in data and data["closes_at"] != current.closes_at:
            services.round_extend(
                consultation=current, closes_at=data["closes_at"],
                reason_en=data.get("extension_reason_en", ""),
                reason_ru=data.get("extension_reason_ru", ""), user=acting_user(request),
            )  # fmt: skip

    def save_related(self, request, form, formsets, change: bool) -> None:
        pass  # the modules were set by the services


# --- Response templates --------------------------------------------------------------------


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    """The responses offered on the triage desk. Items keep the words they were given, so a
    template may be reworded or retired (not offered) at any time; none is deleted."""

    list_display = ("title_en", "title_ru", "status", "active", "updated_at")
    list_filter = ("active", "status")
    search_fields = ("title_en", "title_ru", "response_en", "response_ru")
    fields = ("title_en", "title_ru", "status", "response_en", "response_ru", "active")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- Workshops -----------------------------------------------------------------------------


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    """The workshops where comments were made; each has a public page (never deleted: its
    comments keep pointing at it)."""

    list_display = ("title_en", "region_en", "starts_on", "virtual", "edition", "items")
    list_filter = ("edition", "virtual")
    search_fields = ("title_en", "title_ru", "region_en", "region_ru", "place_en")
    prepopulated_fields = {"slug": ("title_en",)}
    fieldsets = [
        (None, {"fields": ["title_en", "title_ru", "slug", "edition"]}),
        (
            _("When and where"),
            {"fields": ["starts_on", "ends_on", "virtual", "place_en", "place_ru"]},
        ),
        (
            _("Who"),
            {"fields": ["region_en", "region_ru", "organisers_en", "organisers_ru", "states"]},
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("edition")
            .annotate(item_count=Count("items"))
        )

    def get_readonly_fields(self, request, obj=None):
        return ("slug",) if obj is not None else ()  # its public address never changes

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else self.prepopulated_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("comments"), ordering="item_count")
    def items(self, obj: Workshop) -> str:
        url = reverse("admin:feedback_feedback_changelist")
        count = getattr(obj, "item_count", 0)
        return format_html('<a href="{}?workshop__id__exact={}">{}</a>', url, obj.pk, count)
