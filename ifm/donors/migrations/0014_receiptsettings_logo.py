from django.db import migrations, models

import ifm.core.storage


class Migration(migrations.Migration):
    dependencies = [
        ("donors", "0013_importrun_valid_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="receiptsettings",
            name="logo",
            field=models.FileField(
                blank=True,
                max_length=255,
                storage=ifm.core.storage.private_storage,
                upload_to="donors/receipt-logos/",
            ),
        ),
    ]
