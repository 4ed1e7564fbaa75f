"""Customer care triage feedback in the admin (view and change, never add: items come from
customers) and read the wish list with its authors; Marketing reads the wish list only,
as aggregates with small cells suppressed and no authors (no permission on items)."""

from django.db import migrations

from accounts.roles import CUSTOMER_CARE, MARKETING, grant

GRANTS = {
    CUSTOMER_CARE: [
        ("feedback", "feedbackitem", ("view", "change")),
        # codename view_wish_list, declared in FeedbackItem.Meta.permissions
        ("feedback", "wish_list", ("view",)),
    ],
    MARKETING: [
        ("feedback", "wish_list", ("view",)),
    ],
}


def forwards(apps, schema_editor):
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("accounts", "0002_staff_roles"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
