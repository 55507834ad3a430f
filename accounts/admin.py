from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice


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


class BackupCodesAdmin(admin.ModelAdmin):
    """Backup codes, per person: how many are left and when one was last used. The codes are
    kept as digests and never shown; people make new ones themselves (Two-step sign-in), and a
    superuser can delete someone's (a leaked sheet of codes)."""

    list_display = ("user", "codes_left", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = ("user", "codes_left", "created_at", "last_used_at", "throttling_failure_count")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(tokens=Count("token_set"))

    @admin.display(description=_("Backup codes left"), ordering="tokens")
    def codes_left(self, device: StaticDevice) -> int:
        return device.tokens

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


admin.site.unregister(StaticDevice)
admin.site.register(StaticDevice, BackupCodesAdmin)
