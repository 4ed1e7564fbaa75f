"""Marketing writes surveys in the admin and reads their aggregate results; individual
responses stay out of reach."""

from django.db import migrations

from accounts.roles import MARKETING, grant

GRANTS = {
    MARKETING: [
        ("surveys", "survey", ("view", "add", "change")),
        ("surveys", "question", ("view", "add", "change")),
        ("surveys", "choice", ("view", "add", "change")),
        # The custom permission on Survey: codename view_survey_results.
        ("surveys", "survey_results", ("view",)),
    ],
}


def forwards(apps, schema_editor):
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_care_reads_orders"),
        ("surveys", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
