from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0002_customer_care_logs_contacts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contactlog",
            index=models.Index(
                condition=models.Q(("essence_done_at__isnull", True)),
                fields=["created_at"],
                name="contact_essence_waiting",
            ),
        ),
    ]
