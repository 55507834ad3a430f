from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.feedback_form, name="form"),
    path("track/<str:token>/", views.track, name="track"),
    path("rounds/", views.rounds, name="rounds"),
    path("workshops/", views.workshops, name="workshops"),
    path("workshops/<slug:slug>/", views.workshop_detail, name="workshop"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/disposition/", views.round_disposition, name="disposition"),
    path(
        "rounds/<int:pk>/disposition.xlsx",
        views.round_disposition_xlsx,
        name="disposition_xlsx",
    ),
    path("rounds/<int:pk>/disposition.pdf", views.round_disposition_pdf, name="disposition_pdf"),
    path("editions/<edition:edition>/", views.responses, name="responses"),
    path("editions/<edition:edition>/responses.csv", views.responses_csv, name="responses_csv"),
    path(
        "editions/<edition:edition>/comment-table.xlsx",
        views.comment_table,
        name="comment_table",
    ),
    path(
        "editions/<edition:edition>/modules/<slug:module>/comment-table.xlsx",
        views.comment_table,
        name="comment_table_module",
    ),
]
