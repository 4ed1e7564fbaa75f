"""Customer care read the question bank and a customer's asks; marketers, who write the
surveys, also curate the bank of single questions (never the individual asks)."""

from django.db import migrations

from accounts.roles import CUSTOMER_CARE, MARKETING, grant

GRANTS = {
    CUSTOMER_CARE: [
        ("profiles", "profilequestion", ("view",)),
        ("profiles", "questionask", ("view",)),
    ],
    MARKETING: [
        ("profiles", "profilequestion", ("view", "add", "change")),
    ],
}


def forwards(apps, schema_editor):
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_marketing_runs_surveys"),
        ("profiles", "0006_question_bank"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
