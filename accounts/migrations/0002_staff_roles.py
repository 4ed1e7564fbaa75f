"""Create the staff groups with their admin permissions."""

from django.db import migrations

from accounts.roles import CUSTOMER_CARE, MARKETING, grant

GRANTS = {
    CUSTOMER_CARE: [
        ("profiles", "customerprofile", ("view",)),
        ("profiles", "profilefact", ("view",)),
        ("profiles", "touchpoint", ("view",)),
        ("profiles", "consent", ("view",)),
        ("profiles", "attribute", ("view",)),
    ],
    # Marketers see aggregates only: no individual profile, fact or timeline.
    MARKETING: [
        ("profiles", "attribute", ("view",)),
    ],
}


def create_roles(apps, schema_editor):
    grant(apps, GRANTS)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(GRANTS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("profiles", "0002_attribute_catalogue"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
