from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("two-step/", views.two_factor, name="two_factor"),
    path("set-up/<str:token>/", views.setup_link, name="setup_link"),
    path("two-step/settings/", views.second_factor, name="second_factor"),
    path("two-step/new-app/", views.new_app, name="new_app"),
]
