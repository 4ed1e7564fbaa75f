"""Demo accounts for `manage.py seed_demo`: one of each role, all with the same password."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.roles import CUSTOMER_CARE, MARKETING
from accounts.services import account_register

DEMO_PASSWORD = "patience-demo"  # noqa: S105 - printed by `make run` on purpose
DEMO_SHOPPER = {"username": "demo-shopper", "name": "Dana Shopper", "email": "dana@example.com"}
DEMO_STAFF = [
    {
        "username": "demo-care",
        "name": "Casey Care",
        "email": "care@example.com",
        "group": CUSTOMER_CARE,
    },
    {
        "username": "demo-marketer",
        "name": "Morgan Marketer",
        "email": "marketing@example.com",
        "group": MARKETING,
    },
]
DEMO_ADMIN = {"username": "demo-admin", "name": "Ada Admin", "email": "admin@example.com"}


@transaction.atomic
def seed_demo_accounts(*, out) -> str:
    users = get_user_model().objects
    created = 0
    if not users.filter(username=DEMO_SHOPPER["username"]).exists():
        account_register(**DEMO_SHOPPER, password=DEMO_PASSWORD, marketing_email=True, surveys=True)
        created += 1
    for spec in DEMO_STAFF:
        spec = dict(spec)
        group = Group.objects.get(name=spec.pop("group"))
        user, made = users.get_or_create(
            username=spec["username"], defaults={**spec, "is_staff": True}
        )
        if made:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created += 1
        user.groups.add(group)
    if not users.filter(username=DEMO_ADMIN["username"]).exists():
        users.create_superuser(**DEMO_ADMIN, password=DEMO_PASSWORD)
        created += 1
    out(f"accounts: {created} demo account(s) created, {4 - created} already there")
    return f"{created} accounts"
