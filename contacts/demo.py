"""Demo contact logs for `manage.py seed_demo`: a handful of e-mails and calls from demo
customers, and two that nobody could be found for, all with their essence worked out.

E-mails go through the real import (raw RFC 822 bytes, keyed by Message-ID) and calls
through `call_log` with a key, so a second seed adds nothing.
"""

from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from contacts.models import ContactLog, Direction
from contacts.services import call_log, contact_essence, mail_import
from shop.models import Order

Out = Callable[[str], None]
DEMO_SHOPPER = "demo-shopper"
DEMO_CUSTOMER_PREFIX = "demo-customer-"
SHOP_ADDRESS = "shop@patientcrm.example"


def _mail(key: str, *, sender: str, subject: str, body: str, days_ago: int, to=SHOP_ADDRESS):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now() - timedelta(days=days_ago, hours=3))
    message["Message-ID"] = f"<{key}@demo.patientcrm.example>"
    message.set_content(body)
    return message.as_bytes()


def _latest_order_number(profile) -> str:
    order = Order.objects.filter(profile=profile).order_by("-placed_at").first()
    return order.number if order else "100001"


def seed_demo_contacts(*, out: Out) -> str:
    users = get_user_model().objects.select_related("profile")
    dana = users.filter(username=DEMO_SHOPPER).first()
    others = list(
        users.filter(username__startswith=DEMO_CUSTOMER_PREFIX, profile__orders__isnull=False)
        .distinct()
        .order_by("username")[:2]
    )
    staff = users.filter(username="demo-care").first()
    before = ContactLog.objects.count()
    logs: list[ContactLog] = []

    if dana is not None:
        number = _latest_order_number(dana.profile)
        logs += _import(
            _mail(
                "dana-reply",
                sender=f"{dana.name} <{dana.email.upper()}>",
                subject="Re: Your order has shipped",
                days_ago=9,
                body=(
                    "Hi,\n\nthank you, the parcel came this morning and everything was there.\n"
                    "Do you have the stoneware teapot in a larger size as well? I would like "
                    "one for six people.\n\nBest wishes,\nDana\n\n"
                    "On Monday, the PatientCRM shop wrote:\n"
                    "> Dear Dana,\n> your order has shipped and should arrive tomorrow.\n"
                ),
            ),
            _mail(
                "dana-return",
                sender=f"{dana.name} <{dana.email}>",
                subject=f"Order {number}: wrong colour, I want to send it back",
                days_ago=4,
                body=(
                    f"Hello,\n\nI am really disappointed. Order {number} came with the wrong "
                    "colour, grey instead of the sage green I chose, and one of the mugs "
                    "is chipped. I would like to return it and get a refund please.\n\nDana\n"
                ),
            ),
        )
        logs.append(
            call_log(
                key="demo-call-dana",
                # Her phone fact says "07700 900123": the call finds her by the number.
                number="+44 7700 900123",
                direction=Direction.IN,
                duration_seconds=260,
                notes=(
                    "Called about the return of her last order. Explained the returns label "
                    "is in the parcel; she will drop it at the post office this week. "
                    "Friendly, happy with the help."
                ),
                occurred_at=timezone.now() - timedelta(days=3, hours=1),
                logged_by=staff,
            )
        )
    for position, user in enumerate(others):
        logs += _import(
            _mail(
                f"praise-{user.username}",
                sender=f"{user.name} <{user.email}>",
                subject="Thank you",
                days_ago=20 + position,
                body=(
                    "I just wanted to say thank you. The gift arrived beautifully wrapped, "
                    "in time for the birthday, and my mother loved it. Excellent service!\n"
                ),
            )
        )
        logs.append(
            call_log(
                key=f"demo-call-{user.username}",
                profile=user.profile,
                direction=Direction.OUT,
                duration_seconds=95,
                notes=(
                    f"Rang to say order {_latest_order_number(user.profile)} is delayed by "
                    "two days at the courier. Customer fine with it."
                ),
                occurred_at=timezone.now() - timedelta(days=6 + position),
                logged_by=staff,
            )
        )
    logs += _import(
        _mail(
            "stranger",
            sender="Sam Stranger <sam.stranger@example.net>",
            subject="Do you ship to Norway?",
            days_ago=1,
            body="Hello, do you ship to Norway, and how long does delivery take? Thanks, Sam\n",
        )
    )
    logs.append(
        call_log(
            key="demo-call-unknown",
            number="020 7946 0999",
            notes="Caller asked whether the winter catalogue is out. Did not leave a name.",
            occurred_at=timezone.now() - timedelta(days=2),
            logged_by=staff,
        )
    )
    for log in logs:
        contact_essence(log_id=log.pk)
    made = ContactLog.objects.count() - before
    unmatched = sum(1 for log in logs if log.profile_id is None)
    out(f"  contacts: {made} created, {len(logs) - made} already there, {unmatched} unmatched")
    return f"{len(logs)} e-mails and calls ({unmatched} waiting to be matched)"


def _import(*raws: bytes) -> list[ContactLog]:
    logs = []
    for raw in raws:
        _, log = mail_import(raw=raw)
        if log is not None:
            logs.append(log)
    return logs
