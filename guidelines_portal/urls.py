from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _

from accounts import views as accounts_views
from guidelines_portal import discovery
from guidelines_portal.admin_guards import view_on_site
from guidelines_portal.health import health
from modules.converters import CitationFormatConverter, EditionNumberConverter

admin.site.site_header = _("Technical guidelines: editors' back office")
admin.site.site_title = _("Technical guidelines")
admin.site.index_title = _("Working draft and editions")

# Edition numbers (1.0, 2.13) in the URLs of both apps.
register_converter(EditionNumberConverter, "edition")
register_converter(CitationFormatConverter, "citation_format")

handler403 = "accounts.views.permission_denied"
# In the reader's language, with no database or context processor (guidelines_portal.errors);
# 404 is Django's own view with templates/404.html.
handler400 = "guidelines_portal.errors.bad_request"
handler500 = "guidelines_portal.errors.server_error"

urlpatterns = [
    # Before the admin's own URLs: its sign-in page, rate limited, and the two-step code.
    path("admin/login/", accounts_views.login),
    path("admin/", include("accounts.urls")),
    path("admin/feedback-desk/", include("feedback.staff_urls")),
    # "View on site" only for what the user may view (the admin's own checks staff status).
    path("admin/r/<path:content_type_id>/<path:object_id>/", admin.site.admin_view(view_on_site)),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    # The read-only JSON API, in no language of its own: each document holds both.
    path("api/v1/", include("api.urls")),
    # For search engines, at the site root (guidelines_portal.discovery).
    path("robots.txt", discovery.robots_txt, name="robots_txt"),
    path("sitemap.xml", discovery.sitemap, name="sitemap"),
    path("sitemap-<int:number>.xml", discovery.sitemap_file, name="sitemap_file"),
]

urlpatterns += i18n_patterns(
    path("feedback/", include("feedback.urls")),
    path("alerts/", include("alerts.urls")),
    path("", include("modules.urls")),
    prefix_default_language=True,
)
