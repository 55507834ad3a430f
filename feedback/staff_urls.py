"""Feedback pages in the back office beyond the admin's own (under /admin/)."""

from django.urls import path

from feedback import staff_views

app_name = "feedback_staff"

urlpatterns = [
    path("alerts/", staff_views.alert_settings, name="alerts"),
]
