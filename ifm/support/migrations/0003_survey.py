import django.db.models.deletion
import django.db.models.manager
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0002_desk"),
    ]

    operations = [
        migrations.CreateModel(
            name="SurveyResponse",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "score",
                    models.PositiveSmallIntegerField(
                        blank=True, help_text="Empty: dismissed.", null=True
                    ),
                ),
                ("comment", models.TextField(blank=True, max_length=2000)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenancy.organization",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "base_manager_name": "all_orgs",
                "indexes": [
                    models.Index(
                        fields=["organization", "user", "created_at"],
                        name="support_sur_organiz_955770_idx",
                    ),
                    models.Index(
                        fields=["organization", "created_at"], name="support_sur_organiz_cce9a4_idx"
                    ),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("score__isnull", True),
                            models.Q(("score__gte", 1), ("score__lte", 5)),
                            _connector="OR",
                        ),
                        name="support_survey_score_1_5",
                    )
                ],
            },
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("all_orgs", django.db.models.manager.Manager()),
            ],
        ),
    ]
