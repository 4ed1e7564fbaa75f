from django.db import migrations

NEW = [
    (
        "categories_bought",
        "Categories you have bought from",
        "habit",
        "basic",
        "list",
        "Learned from your orders, most recent first.",
    ),
    (
        "brands_bought",
        "Brands you have bought",
        "habit",
        "basic",
        "list",
        "Learned from your orders, most recent first.",
    ),
]


def add(apps, schema_editor):
    Attribute = apps.get_model("profiles", "Attribute")
    for key, label, category, sensitivity, kind, description in NEW:
        Attribute.objects.update_or_create(
            key=key,
            defaults={
                "label": label,
                "category": category,
                "sensitivity": sensitivity,
                "value_kind": kind,
                "choices": [],
                "description": description,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("profiles", "Attribute").objects.filter(
        key__in=[row[0] for row in NEW], facts__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("profiles", "0003_buying_patterns")]
    operations = [migrations.RunPython(add, remove)]
