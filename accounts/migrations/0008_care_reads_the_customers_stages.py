"""Customer care helps one customer at a time: from the customer-360 page they open
that customer's survey responses and campaign responses (read only). Marketing still
has no permission on any individual response."""

from django.db import migrations

from accounts.roles import CUSTOMER_CARE, grant

GRANTS = {
    CUSTOMER_CARE: [
        ("surveys", "surveyresponse", ("view",)),
        ("surveys", "answer", ("view",)),
        ("campaigns", "recipient", ("view",)),
        ("campaigns", "linkclick", ("view",)),
        ("profiles", "questionask", ("view",)),
    ],
}


def forwards(apps, schema_editor):
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_marketing_reads_campaign_dashboards"),
        ("surveys", "0002_responses_outlive_erasure"),
        ("campaigns", "0002_campaign_dashboards_permission"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
