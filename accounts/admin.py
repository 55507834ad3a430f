from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.utils import timezone


class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    """django-axes' own, with its clean-up action working outside a sign-in.

    The action reads ``request.axes_attempt_time``, which axes sets only while handling a
    sign-in (django-axes 8.3.1): in the back office it crashed with a 500.
    """

    @admin.action(description=AxesAccessAttemptAdmin.cleanup_expired_attempts.short_description)
    def cleanup_expired_attempts(self, request, queryset):
        request.axes_attempt_time = timezone.now()
        return super().cleanup_expired_attempts(request, queryset)


admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, AccessAttemptAdmin)
