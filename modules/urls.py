from django.urls import include, path, register_converter

from modules import views
from modules.converters import EditionNumberConverter

app_name = "modules"

register_converter(EditionNumberConverter, "edition")

# The same pages serve the current edition and, under editions/<number>/, any edition.
reading_patterns = [
    path("modules/<slug:module>/", views.module_detail, name="module"),
    path("modules/<slug:module>/<slug:key>/", views.section_detail, name="section"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("editions/", views.edition_list, name="edition_list"),
    path("editions/<edition:edition>/", views.home, name="edition_home"),
    path(
        "editions/<edition:edition>/",
        include(
            [
                path("modules/<slug:module>/", views.module_detail, name="edition_module"),
                path(
                    "modules/<slug:module>/<slug:key>/",
                    views.section_detail,
                    name="edition_section",
                ),
            ]
        ),
    ),
    *reading_patterns,
]
