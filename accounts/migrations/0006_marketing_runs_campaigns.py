"""Marketing builds campaigns, offers and keywords in the admin; who received a campaign
and what each person clicked stays out of reach (no permission on Recipient or
LinkClick): marketers read aggregates only."""

from django.db import migrations

from accounts.roles import MARKETING, grant

GRANTS = {
    MARKETING: [
        ("campaigns", "campaign", ("view", "add", "change")),
        ("campaigns", "offer", ("view", "add", "change")),
        ("campaigns", "keyword", ("view", "add", "change")),
    ],
}


def forwards(apps, schema_editor):
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_roles_for_the_question_bank"),
        ("campaigns", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
