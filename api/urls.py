from django.urls import path, re_path

from api import views

app_name = "api"

urlpatterns = [
    path("", views.index, name="index"),
    path("openapi.json", views.openapi, name="openapi"),
    path("editions/", views.edition_list, name="editions"),
    path("editions/<edition:number>/", views.edition_detail, name="edition"),
    path("editions/<edition:number>/sections/", views.section_list, name="sections"),
    path("editions/<edition:number>/sections/<slug:key>/", views.section_detail, name="section"),
    path("editions/<edition:number>/changes/", views.changes, name="changes"),
    path("sections/<slug:key>/history/", views.history, name="history"),
    # Anything else (a search, not a full match: paths with a line break too).
    re_path(r"^", views.unknown),
]
