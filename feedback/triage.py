"""The triage desk: the feedback list as a reviewer works through it, and the decision page.

The desk shows each item with an excerpt of its comment, the paragraph it is about (as read,
in the edition and language the contributor read), who sent it, its age and assignee. Its
filters are the feedback list's, kept in the URL, so a filtered list, the desk and the decision
pages share one address. A reviewer moves from item to item with the keyboard
(static/admin-portal/triage.js), decides with a response template in both languages, or
decides on many items at once. Every write goes through feedback.services.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from accounts.roles import acting_user
from feedback import selectors, services
from feedback.models import (
    COMMENT_MAX_LENGTH,
    REFERENCE_PATTERN,
    RESTRICTED_TEXT_PERMISSION,
    Feedback,
    FeedbackEvent,
    ResponseTemplate,
    Status,
    restricted_notice,
)
from guidelines_portal.edit_guard import edit_token
from guidelines_portal.params import positive_int
from guidelines_portal.text import TypedTextFormField
from modules.diff import rewording

# What two reviewers deciding one item at once could overwrite.
GUARDED = ("status", "duplicate_of", "response_en", "response_ru")
EXCERPT_CHARS = 280
HISTORY_SHOWN = 8


def _templates() -> QuerySet[ResponseTemplate]:
    return ResponseTemplate.objects.filter(active=True).order_by("title_en")


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj.title)  # in the reader's language


def _response_field(label) -> TypedTextFormField:
    return TypedTextFormField(
        label=label,
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DecisionForm(forms.Form):
    """One item's decision: status, public response in both languages, an internal note."""

    status = forms.ChoiceField(label=_("Decision"), choices=Status.choices)
    duplicate_of = forms.CharField(
        label=_("Duplicate of (reference)"),
        required=False,
        max_length=40,
        help_text=_("Only for a duplicate: the reference of the item it repeats, FB-2026-0001."),
    )
    template = TemplateChoiceField(
        label=_("Response template"),
        queryset=_templates(),
        required=False,
        empty_label=_("(none: write the response)"),
        help_text=_(
            "Fills the responses below when they are empty; you may then adapt them. "
            "Without a script, the template is used for responses left empty."
        ),
    )
    response_en = _response_field(_("Response (English)"))
    response_ru = _response_field(_("Response (Russian)"))
    note = TypedTextFormField(
        label=_("Internal note"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the item's history; never shown to the public."),
    )
    notify = forms.BooleanField(
        label=_("E-mail the contributor of a decision"), required=False, initial=True
    )
    edit_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, item: Feedback, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        self.initial.update(
            status=item.status,
            duplicate_of=item.duplicate_of.reference if item.duplicate_of else "",
            response_en=item.response_en,
            response_ru=item.response_ru,
            edit_token=edit_token(item, GUARDED),
        )

    def clean_duplicate_of(self) -> Feedback | None:
        reference = self.cleaned_data["duplicate_of"].strip().upper()
        if not reference:
            return None
        if not REFERENCE_PATTERN.fullmatch(reference):
            raise ValidationError(_("Write a reference like FB-2026-0001."))
        found = Feedback.objects.filter(reference=reference).first()
        if found is None:
            raise ValidationError(
                _("No item has the reference %(reference)s.") % {"reference": reference}
            )
        return found

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("edit_token") != edit_token(self.item, GUARDED):
            raise ValidationError(
                _(
                    "Someone else decided on this item since you opened it. Your text is kept "
                    "below: read the item's history, then save again."
                ),
                code="conflict",
            )
        template = data.get("template")
        if template is not None:
            for language in ("en", "ru"):
                name = f"response_{language}"
                if not data.get(name):
                    data[name] = getattr(template, name)
        if "status" in data and "duplicate_of" in data:
            try:
                services.validate_status(self.item, data["status"], data["duplicate_of"])
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
        return data


class BulkDecisionForm(forms.Form):
    """One decision for the items ticked on the desk."""

    status = forms.ChoiceField(
        label=_("Decision for the selected items"),
        # No decision is preselected: a click on Apply alone decides nothing.
        choices=[
            ("", _("(choose)")),
            *((s, label) for s, label in Status.choices if s != Status.DUPLICATE),
        ],
    )
    template = TemplateChoiceField(
        label=_("Response template"),
        queryset=_templates(),
        required=False,
        empty_label=_("(none)"),
        help_text=_("Given to the selected items that have no response yet."),
    )
    notify = forms.BooleanField(
        label=_("E-mail the contributors of a decision"), required=False, initial=True
    )


@dataclass
class Card:
    """One item as the desk shows it."""

    item: Feedback
    read: selectors.AsRead | None
    comment: str
    restricted: bool

    @property
    def paragraph(self) -> str:
        text = self.read.paragraph_text if self.read else None
        return Truncator(text).chars(EXCERPT_CHARS) if text else ""

    @property
    def sender(self) -> str:
        item = self.item
        if item.country:
            return f"{item.country.name} · {item.get_category_display()}"
        return str(item.get_category_display())


def _hidden(item: Feedback, request: HttpRequest) -> bool:
    return item.is_restricted and not request.user.has_perm(RESTRICTED_TEXT_PERMISSION)


def _changelist(model_admin: ModelAdmin, request: HttpRequest) -> ChangeList:
    return model_admin.get_changelist_instance(request)


def _filters(request: HttpRequest) -> str:
    """The desk's filters as a query string ("" or "?…"), without the page number."""
    query = request.GET.copy()
    query.pop("p", None)
    return f"?{query.urlencode()}" if query else ""


def triage_url(query: str = "", pk: int | None = None) -> str:
    anchor = f"#item-{pk}" if pk else ""
    return reverse("admin:feedback_feedback_triage") + query + anchor


def decide_url(pk: int, query: str = "") -> str:
    return reverse("admin:feedback_feedback_decide", args=[pk]) + query


def triage_view(model_admin: ModelAdmin, request: HttpRequest) -> HttpResponse:
    """GET: the desk. POST: one decision for the ticked items (with change permission)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if request.method == "POST" and not model_admin.has_change_permission(request):
        raise PermissionDenied
    try:
        changelist = _changelist(model_admin, request)
    except IncorrectLookupParameters:
        messages.error(request, _("Those filters were not understood: the desk shows all items."))
        return HttpResponseRedirect(triage_url())
    bulk = BulkDecisionForm(request.POST if request.method == "POST" else None)
    chosen: set[int] = set()
    if request.method == "POST":
        ticked = (positive_int(pk) for pk in request.POST.getlist("item"))
        chosen = {pk for pk in ticked if pk is not None}
        done = _bulk_decide(changelist, request, bulk, chosen)
        if done is not None:
            return done
    items = list(changelist.result_list)
    reads = selectors.as_read_many(items)
    cards = []
    for item in items:
        hidden = _hidden(item, request)
        comment = restricted_notice() if hidden else Truncator(item.comment).chars(EXCERPT_CHARS)
        cards.append(Card(item=item, read=reads[item.pk], comment=comment, restricted=hidden))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "cl": changelist,
        "title": _("Triage"),
        "cards": cards,
        "chosen": chosen,
        "bulk": bulk,
        "can_decide": model_admin.has_change_permission(request),
        "filters": _filters(request),
        "list_url": reverse("admin:feedback_feedback_changelist") + _filters(request),
    }
    return TemplateResponse(request, "admin/feedback/feedback/triage.html", context)


def _bulk_decide(
    changelist: ChangeList, request: HttpRequest, form: BulkDecisionForm, chosen: set[int]
) -> HttpResponse | None:
    """Apply the bulk decision; None to show the desk again with the form's errors."""
    if not chosen:
        form.is_valid()
        form.add_error(None, _("Tick the items the decision is for."))
        return None
    if not form.is_valid():
        return None
    # Only items the desk offers (its filters, and what this person may see) are decided.
    items = changelist.get_queryset(request).filter(pk__in=chosen).select_related("incorporated_in")
    changed, kept, refused = services.feedback_bulk_decide(
        items=list(items),
        status=form.cleaned_data["status"],
        template=form.cleaned_data["template"],
        notify=form.cleaned_data["notify"],
        user=acting_user(request),
    )
    messages.success(request, _("%(count)d items changed.") % {"count": changed})
    if kept:
        messages.info(
            request,
            _("%(count)d items already had a response: it was kept, not replaced.")
            % {"count": kept},
        )
    for item, error in refused:
        messages.warning(request, f"{item.reference}: {' '.join(error.messages)}")
    return HttpResponseRedirect(request.get_full_path())


def _neighbours(
    queryset: QuerySet, item: Feedback, *, sorted_by_reader: bool = False
) -> tuple[int | None, int | None]:
    """The items before and after ``item`` on the desk, in its order: newest first (two
    indexed queries), or the column order the reviewer chose (``?o=``; the list's ids in that
    order, one query)."""
    if sorted_by_reader:
        listed = list(queryset.values_list("pk", flat=True))
        if item.pk not in listed:
            return None, None
        place = listed.index(item.pk)
        return (
            listed[place - 1] if place > 0 else None,
            listed[place + 1] if place + 1 < len(listed) else None,
        )
    newer = Q(created_at__gt=item.created_at) | Q(created_at=item.created_at, pk__gt=item.pk)
    older = Q(created_at__lt=item.created_at) | Q(created_at=item.created_at, pk__lt=item.pk)
    ids = queryset.values_list("pk", flat=True)
    previous = ids.filter(newer).order_by("created_at", "pk").first()
    following = ids.filter(older).order_by("-created_at", "-pk").first()
    return previous, following


def _compared(read: selectors.AsRead | None, item: Feedback) -> str | None:
    """The proposed wording as a word-level diff against the paragraph read; None when there is
    no paragraph or the wording is not a rewording of it (new text is read as written)."""
    if not item.proposed_wording or read is None or not read.paragraph_text:
        return None
    compared = rewording(read.paragraph_text, item.proposed_wording)
    return None if compared is None else mark_safe(compared)  # noqa: S308  # nosec: escaped by rewording()


def decide_view(model_admin: ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """One item beside the paragraph it is about, with its decision form."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    can_decide = model_admin.has_change_permission(request)
    if request.method == "POST" and not can_decide:
        raise PermissionDenied
    item = model_admin.get_object(request, object_id)
    if item is None:
        raise Http404(_("No feedback item has that number."))
    query = _filters(request)
    try:
        queryset = _changelist(model_admin, request).get_queryset(request)
    except IncorrectLookupParameters:
        return HttpResponseRedirect(decide_url(item.pk))
    previous, following = _neighbours(queryset, item, sorted_by_reader="o" in request.GET)
    form = DecisionForm(request.POST if request.method == "POST" else None, item=item)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.feedback_decide(
                feedback=item,
                status=data["status"],
                duplicate_of=data["duplicate_of"],
                response_en=data["response_en"],
                response_ru=data["response_ru"],
                note=data["note"],
                notify=data["notify"],
                user=acting_user(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("%(reference)s: decision saved.") % {"reference": item.reference}
            )
            if "_next" in request.POST and following is not None:
                return HttpResponseRedirect(decide_url(following, query))
            return HttpResponseRedirect(triage_url(query, item.pk))
    hidden = _hidden(item, request)
    read = model_admin._as_read(item)  # type: ignore[attr-defined]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Decide on %(reference)s") % {"reference": item.reference},
        "item": item,
        "read": read,
        "restricted": hidden,
        "restricted_notice": restricted_notice(),
        "compared": _compared(read, item) if not hidden else None,
        "same_place": selectors.same_place(item),
        "history": FeedbackEvent.objects.filter(feedback=item)
        .select_related("actor")
        .order_by("-at", "-pk")[:HISTORY_SHOWN],
        "form": form if can_decide else None,
        "templates": {str(t.pk): {"en": t.response_en, "ru": t.response_ru} for t in _templates()},
        "previous_url": decide_url(previous, query) if previous else "",
        "next_url": decide_url(following, query) if following else "",
        "triage_url": triage_url(query, item.pk),
        "change_url": reverse("admin:feedback_feedback_change", args=[item.pk]),
    }
    return TemplateResponse(request, "admin/feedback/feedback/decide.html", context)
