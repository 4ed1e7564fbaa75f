"""Customer care read, log and attach e-mails and calls; Marketing gets nothing here
(contact logs are one customer's own words)."""

from django.db import migrations

from accounts.roles import CUSTOMER_CARE, grant

GRANTS = {
    CUSTOMER_CARE: [
        ("contacts", "contactlog", ("view", "add", "change")),
        ("contacts", "unmatchedcontact", ("view", "change")),
    ],
}


def forwards(apps, schema_editor):
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0001_initial"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
