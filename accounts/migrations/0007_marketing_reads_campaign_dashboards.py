"""Marketing reads the campaign dashboards: aggregates over the recipients, small cells
suppressed; still no permission on Recipient or LinkClick themselves."""

from django.db import migrations

from accounts.roles import MARKETING, grant

GRANTS = {
    MARKETING: [
        # codename view_campaign_dashboards, declared in Campaign.Meta.permissions
        ("campaigns", "campaign_dashboards", ("view",)),
    ],
}


def forwards(apps, schema_editor):
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_marketing_runs_campaigns"),
        ("campaigns", "0002_campaign_dashboards_permission"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
