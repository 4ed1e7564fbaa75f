"""A recipient outlives its customer's erasure: the profile link becomes NULL."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_campaign_dashboards_permission"),
        ("profiles", "0006_question_bank"),
    ]

    operations = [
        migrations.AlterField(
            model_name="recipient",
            name="profile",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="campaign_receipts",
                to="profiles.customerprofile",
            ),
        ),
    ]
