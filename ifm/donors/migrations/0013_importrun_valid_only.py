from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("donors", "0012_batch_defaults_campaign_goals"),
    ]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="valid_only",
            field=models.BooleanField(
                default=False,
                help_text="Import the rows without problems and leave the others out (asked "
                "for explicitly; all or nothing otherwise). The rows left out stay in `errors`.",
            ),
        ),
    ]
