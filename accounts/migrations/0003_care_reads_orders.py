"""Customer care read orders, their lines and buying patterns; catalogue editing stays with
superusers for now."""

from django.db import migrations

from accounts.roles import CUSTOMER_CARE, grant

GRANTS = {
    CUSTOMER_CARE: [
        ("shop", "order", ("view", "change")),
        ("shop", "orderline", ("view",)),
        ("shop", "product", ("view",)),
        ("shop", "category", ("view",)),
        ("profiles", "buyingpattern", ("view",)),
    ],
}


def forwards(apps, schema_editor):
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_staff_roles"),
        ("shop", "0001_initial"),
        ("profiles", "0004_purchase_attributes"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
