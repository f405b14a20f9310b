"""Covering indexes of active gifts for the fundraising reports: per donor (with the amount), per
period (with the donor, amount, fund, campaign and appeal), per campaign and per appeal (with the
donor and amount), so PostgreSQL reads them from the index alone."""

from django.db import migrations, models

ACTIVE = models.Q(("status", "active"))


class Migration(migrations.Migration):
    dependencies = [
        ("donors", "0016_donor_lists"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="donation",
            index=models.Index(
                condition=ACTIVE,
                fields=["organization", "donor", "date"],
                include=("amount",),
                name="donors_donation_giving_donor",
            ),
        ),
        migrations.AddIndex(
            model_name="donation",
            index=models.Index(
                condition=ACTIVE,
                fields=["organization", "date"],
                include=("donor", "amount", "fund", "campaign", "appeal"),
                name="donors_donation_giving_date",
            ),
        ),
        migrations.AddIndex(
            model_name="donation",
            index=models.Index(
                condition=ACTIVE,
                fields=["organization", "campaign", "donor"],
                include=("amount",),
                name="donors_donation_giving_camp",
            ),
        ),
        migrations.AddIndex(
            model_name="donation",
            index=models.Index(
                condition=ACTIVE,
                fields=["organization", "appeal", "donor"],
                include=("amount",),
                name="donors_donation_giving_appeal",
            ),
        ),
    ]
