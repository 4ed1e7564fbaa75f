"""Marketing makes codes and mail drops in the admin and reads the coupon effectiveness
page (aggregates only: no permission on Redemption itself); customer care reads who used
which code, to answer a customer's question about their order."""

from django.db import migrations

from accounts.roles import CUSTOMER_CARE, MARKETING, grant

GRANTS = {
    MARKETING: [
        ("coupons", "couponcode", ("view", "add", "change")),
        ("coupons", "maildrop", ("view", "add", "change")),
        # codename view_coupon_dashboards, declared in Redemption.Meta.permissions
        ("coupons", "coupon_dashboards", ("view",)),
    ],
    CUSTOMER_CARE: [
        ("coupons", "couponcode", ("view",)),
        ("coupons", "redemption", ("view",)),
    ],
}


def forwards(apps, schema_editor):
    grant(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_marketing_reads_campaign_dashboards"),
        ("coupons", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
