"""Tracking links keep only a digest of their token (penetration test, finding 1): the
existing tokens become digests with their expiry, so every link already sent keeps working,
and the tokens themselves leave the database."""

import hashlib

import django.db.models.deletion
from django.db import migrations, models

import feedback.models


def tokens_to_digests(apps, schema_editor):
    Feedback = apps.get_model("feedback", "Feedback")
    TrackingLink = apps.get_model("feedback", "TrackingLink")
    rows = Feedback.objects.values_list("pk", "tracking_token", "tracking_expires_at")
    TrackingLink.objects.bulk_create(
        (
            TrackingLink(
                feedback_id=pk,
                digest=hashlib.sha256(token.encode("utf-8")).hexdigest(),
                expires_at=expires_at,
            )
            for pk, token, expires_at in rows.iterator(chunk_size=2000)
        ),
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0004_module_protected_response_event"),
    ]

    operations = [
        migrations.CreateModel(
            name="TrackingLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("digest", models.CharField(editable=False, max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("expires_at", models.DateTimeField(db_index=True, default=feedback.models.tracking_expiry)),
                ("feedback", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="tracking_links", to="feedback.feedback")),
            ],
            options={"ordering": ["-created_at", "-pk"]},
        ),
        # Links already sent stay valid. Irreversible: the tokens themselves are gone.
        migrations.RunPython(tokens_to_digests),
        migrations.RemoveField(model_name="feedback", name="tracking_expires_at"),
        migrations.RemoveField(model_name="feedback", name="tracking_token"),
    ]
