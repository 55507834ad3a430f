"""Feedback pages in the back office beyond the admin's own: how each person who triages
feedback hears of new comments."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.roles import acting_user
from feedback import alerts
from feedback.forms import AlertsForm
from feedback.models import AlertFrequency


@never_cache
@login_required
@permission_required(alerts.TRIAGE_PERMISSION, raise_exception=True)
def alert_settings(request: HttpRequest) -> HttpResponse:
    """Each comment as it arrives, a daily digest, or nothing; in English or Russian."""
    user = acting_user(request)
    current = alerts.alerts_of(user)
    posted = request.method == "POST"
    form = AlertsForm(
        request.POST if posted else None,
        initial={"frequency": current.frequency, "language": current.language},
    )
    if posted and form.is_valid():
        chosen = alerts.alerts_set(user=user, **form.cleaned_data)
        if chosen.frequency == AlertFrequency.OFF:
            messages.success(request, _("Saved: you will not be e-mailed about new comments."))
        else:
            messages.success(
                request,
                _("Saved: %(choice)s. Language of the messages: %(language)s.")
                % {
                    "choice": chosen.get_frequency_display().lower(),
                    "language": chosen.get_language_display(),
                },
            )
        return redirect("feedback_staff:alerts")
    context = {
        **admin.site.each_context(request),
        "title": _("New-comment alerts"),
        "form": form,
        "has_email": bool(user.email),
        "fixed_addresses": bool(settings.FEEDBACK_NOTIFY_EMAILS),
        "alerts_off": not settings.FEEDBACK_NOTIFY_EDITORS,
    }
    return render(request, "feedback/alert_settings.html", context, status=400 if posted else 200)
