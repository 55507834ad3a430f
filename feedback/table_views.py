"""Filled comment tables coming back: upload, preview every row, confirm.

An editor uploads the table with the workshop or letter it came with; the preview shows each
row with its errors or what it becomes; confirming writes every row at once (services.
comment_table_confirm), and the editor goes on to the items on the triage desk. Only staff who
may record feedback (``feedback.add_feedback``) see these pages.
"""

from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.roles import acting_user
from feedback import services, table_import
from feedback.models import CommentTable, Kind, Source, Workshop
from modules.models import Edition

UPLOAD_SOURCES = [(value, label) for value, label in Source.choices if value != Source.WEB]


class EditionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(_("Edition %(number)s") % {"number": obj.number})


class WorkshopChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.title} ({obj.starts_on:%Y-%m-%d})"  # in the editor's language


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Filled comment table"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    edition = EditionChoiceField(
        label=_("Edition the table was made for"),
        queryset=Edition.objects.none(),
        required=False,
        empty_label=_("As the table says (tables downloaded from this site)"),
    )
    source = forms.ChoiceField(label=_("Came with"), choices=UPLOAD_SOURCES)
    workshop = WorkshopChoiceField(
        label=_("Workshop"),
        queryset=Workshop.objects.none(),
        required=False,
        help_text=_("For a table from a recorded workshop."),
    )
    source_detail = forms.CharField(
        label=_("Source details"),
        max_length=255,
        required=False,
        help_text=_("For example: note verbale of 3 May 2023 from the Permanent Mission."),
    )
    received_on = forms.DateField(
        label=_("Received on"),
        # A date input's value is ISO 8601 whatever the page's language.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    publishable = forms.BooleanField(
        label=_("The comments may be published (with the decisions on them)"),
        required=False,
        initial=True,
    )
    may_name = forms.BooleanField(
        label=_("The States and organisations agreed to be named"),
        required=False,
        initial=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["edition"]).queryset = Edition.objects.published()
        cast(forms.ModelChoiceField, self.fields["workshop"]).queryset = Workshop.objects.all()
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["file"].help_text = _(
            "The comment table of the review kit (.xlsx), or a table in its columns as .xlsx or "
            ".csv, up to %(size)s MB."
        ) % {"size": table_import.MAX_FILE_BYTES // (1024 * 1024)}

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The table cannot have been received in the future."))
        return day

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        workshop = data.get("workshop")
        if workshop is not None and data.get("source") != Source.WORKSHOP:
            self.add_error(
                "source",
                _("A table from a workshop has “Workshop or meeting” as its source."),
            )
        if data.get("source") == Source.WORKSHOP and not (workshop or data.get("source_detail")):
            self.add_error(
                "workshop", _("Choose the workshop, or name the meeting in the details.")
            )
        upload = data.get("file")
        if upload is not None and upload.size > table_import.MAX_FILE_BYTES:
            self.add_error(
                "file",
                _("The file is larger than %(size)s MB: split the table into smaller files.")
                % {"size": table_import.MAX_FILE_BYTES // (1024 * 1024)},
            )
        return data


def _context(model_admin: ModelAdmin, request: HttpRequest, title) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "list_url": reverse("admin:feedback_feedback_changelist"),
        "upload_url": reverse("admin:feedback_feedback_table_upload"),
    }


def _recorded_message(table: CommentTable) -> str:
    return str(
        _(
            "This file was recorded on %(date)s by %(user)s (%(count)s items): nothing new "
            "was created."
        )
        % {
            "date": date_format(timezone.localtime(table.confirmed_at), "DATE_FORMAT"),
            "user": table.uploaded_by.get_full_name() or table.uploaded_by.get_username(),
            "count": table.items.count(),
        }
    )


def upload_view(model_admin: ModelAdmin, request: HttpRequest) -> HttpResponse:
    """The upload form; a readable file goes on to its preview."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            table, new = services.comment_table_upload(
                data=upload.read(),
                file_name=upload.name,
                user=acting_user(request),
                edition=data["edition"],
                source=data["source"],
                source_detail=data["source_detail"],
                workshop=data["workshop"],
                received_on=data["received_on"],
                may_name=data["may_name"] and data["publishable"],
                publishable=data["publishable"],
            )
        except table_import.TableError as error:
            form.add_error("file", str(error))
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            if not new:
                messages.warning(request, _recorded_message(table))
            return HttpResponseRedirect(reverse("admin:feedback_feedback_table", args=[table.pk]))
    context = {
        **_context(model_admin, request, _("Upload a filled comment table")),
        "form": form,
        "max_rows": table_import.MAX_ROWS,
    }
    return TemplateResponse(request, "admin/feedback/feedback/table_upload.html", context)


def table_view(model_admin: ModelAdmin, request: HttpRequest, pk: int) -> HttpResponse:
    """A table's preview (every row, its errors or what it becomes), and its confirmation;
    once recorded, what it made."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    table = (
        CommentTable.objects.select_related("edition", "workshop", "uploaded_by")
        .filter(pk=pk)
        .first()
    )
    if table is None:
        raise Http404(
            _("No comment table has that number: it may have been forgotten after a week.")
        )
    if request.method == "POST":
        try:
            made = services.comment_table_confirm(table=table, user=acting_user(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if made:
                messages.success(
                    request,
                    _("%(count)s comments recorded from %(file)s.")
                    % {"count": made, "file": table.file_name},
                )
            return HttpResponseRedirect(request.path)
        table.refresh_from_db()
    rows = [] if table.confirmed_at else services.comment_table_check(table)
    items = table.items.select_related("section").order_by("pk") if table.confirmed_at else None
    in_error = [row for row in rows if row.errors]
    context = {
        **_context(model_admin, request, _("Comment table: %(file)s") % {"file": table.file_name}),
        "table": table,
        "language_name": dict(settings.LANGUAGES).get(table.language, table.language),
        "rows": rows,
        "in_error": in_error,
        "recording": sum(1 for row in rows if row.will_record),
        "skipped": sum(1 for row in rows if row.skip and not row.errors),
        "items": items,
        "triage_url": reverse("admin:feedback_feedback_triage") + f"?table={table.pk}",
        "kinds": Kind.choices,
    }
    return TemplateResponse(request, "admin/feedback/feedback/table_preview.html", context)
