"""A campaign delivered for real: a Celery worker sends its batches over SMTP to an
aiosmtpd server on 127.0.0.1, and what arrives is what a mail program would get."""

import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from campaigns.models import Campaign, CampaignStatus, Keyword, Offer, OfferKind, Recipient
from campaigns.services import campaign_send
from campaigns.tasks import send_campaign_batch_task
from tests.factories import make_shopper

SEND_TASK = send_campaign_batch_task.name

pytestmark = [
    pytest.mark.services,
    pytest.mark.timeout(120),
    # The worker is another process: it only sees committed rows.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BODY = (
    "Hello {first_name},\n\n"
    'the new teas are in: [see the teas](/catalogue/?q=tea "tea") and '
    '[the books](/catalogue/?q=book "books").\n\n'
    "The shop"
)


class Sink:
    """Keeps every message it is handed, with its envelope."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def campaign_mail(self) -> list[tuple[str, list[str], EmailMessage]]:
        """The campaign's messages; the shoppers' welcome e-mails arrive here too."""
        with self.lock:
            return [item for item in self.messages if item[2]["List-Unsubscribe"]]

    def wait_for(
        self, count: int, timeout: float = 30
    ) -> list[tuple[str, list[str], EmailMessage]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.campaign_mail()) >= count:
                return self.campaign_mail()
            time.sleep(0.1)
        pytest.fail(f"{len(self.campaign_mail())} of {count} messages arrived within {timeout} s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port, sink
    controller.stop()


@pytest.fixture
def campaign(db):
    offer = Offer.objects.create(name="New teas", kind=OfferKind.NEW_ARRIVALS)
    campaign = Campaign.objects.create(
        name="Teas by SMTP", offer=offer, subject="{first_name}, new teas", body_text=BODY
    )
    campaign.keywords.set(
        [Keyword.objects.create(term="tea"), Keyword.objects.create(term="books")]
    )
    return campaign


def _part(message: EmailMessage, content_type: str) -> str:
    for part in message.walk():
        if part.get_content_type() == content_type:
            return part.get_content()
    pytest.fail(f"no {content_type} part in {message}")


def test_a_worker_delivers_the_campaign_over_smtp(campaign, smtp_sink, start_celery_worker):
    port, sink = smtp_sink
    people = [
        make_shopper(name=f"Tess Tea{n}", email=f"tess{n}@example.com", marketing_email=True)
        for n in range(3)
    ]
    make_shopper(email="no-thanks@example.com")  # said no to offers by e-mail
    worker = start_celery_worker(
        env={
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "EMAIL_USE_TLS": "0",
        }
    )
    assert campaign_send(campaign=campaign, batch=2) == 3
    worker.wait_for_successes(SEND_TASK, count=2, timeout=30)
    arrived = sink.wait_for(3)

    assert sorted(rcpt for _, (rcpt,), _ in arrived) == sorted(p.email for p in people)
    tokens = dict(Recipient.objects.values_list("profile__user__email", "token"))
    for mail_from, (rcpt,), message in arrived:
        token = tokens[rcpt]
        assert mail_from == "shop@patientcrm.example"
        assert message["Subject"] == "Tess, new teas"
        assert message.get_content_type() == "multipart/alternative"
        unsubscribe = f"{settings.SITE_URL}/c/{token}/unsubscribe/"
        # A long header is folded onto its own line; the value is the same.
        assert str(message["List-Unsubscribe"]).strip() == f"<{unsubscribe}>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text, html = _part(message, "text/plain"), _part(message, "text/html")
        click = f"{settings.SITE_URL}/c/{token}/click/?to=%2Fcatalogue%2F%3Fq%3Dtea&k=tea"
        assert f"see the teas <{click}>" in text
        assert unsubscribe in text
        assert f'<a href="{click.replace("&", "&amp;")}">see the teas</a>' in html
        assert "k=books" in html
        assert f'<img src="{settings.SITE_URL}/c/{token}/open.gif"' in html

    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    assert not Recipient.objects.filter(sent_at__isnull=True).exists()

    # A redelivered batch mails nobody again.
    send_campaign_batch_task.delay(
        recipient_ids=list(Recipient.objects.values_list("pk", flat=True))
    )
    worker.wait_for_successes(SEND_TASK, count=3, timeout=30)
    time.sleep(0.5)
    assert len(sink.campaign_mail()) == 3
