from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project package: operations commands, and guards over every app's admin."""

    name = "guidelines_portal"
    verbose_name = "Guidelines portal"

    def ready(self) -> None:
        from django.contrib import admin

        from guidelines_portal.admin_guards import guard_lookups
        from guidelines_portal.page_store import receivers

        # Last in INSTALLED_APPS: every app has registered its ModelAdmins by now.
        guard_lookups(admin.site)
        receivers.connect()
