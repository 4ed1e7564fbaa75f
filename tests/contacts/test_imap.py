"""IMAP import for production, against a fake server that behaves like imaplib's."""

import imaplib

import pytest

from contacts.models import ContactLog
from contacts.tasks import ingest_imap_task

pytestmark = pytest.mark.django_db


def _raw(n: int, sender: str = "alice@example.com") -> bytes:
    return (
        f"From: {sender}\r\nTo: shop@patientcrm.example\r\nSubject: Note {n}\r\n"
        f"Message-ID: <imap-{n}@mail.example.com>\r\nDate: Tue, 01 Dec 2026 10:0{n}:00 +0000\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nWhere is my parcel? It has not arrived.\r\n"
    ).encode()


class FakeImap:
    """A mailbox of messages keyed by UID; FETCH with BODY.PEEK leaves them unseen."""

    instances: list["FakeImap"] = []
    mailbox: dict[bytes, bytes] = {}
    seen: set[bytes] = set()
    refuse_login = False

    def __init__(self, host, port, timeout=None):
        self.host, self.port, self.timeout = host, port, timeout
        self.calls: list[tuple] = []
        self.logged_out = False
        FakeImap.instances.append(self)

    def login(self, user, password):
        self.calls.append(("login", user, password))
        if FakeImap.refuse_login:
            raise imaplib.IMAP4.error("[AUTHENTICATIONFAILED] Invalid credentials")
        return "OK", [b"Logged in"]

    def select(self, folder):
        self.calls.append(("select", folder))
        return "OK", [str(len(self.mailbox)).encode()]

    def uid(self, command, *args):
        self.calls.append(("uid", command, *args))
        if command == "SEARCH":
            unseen = [uid for uid in sorted(self.mailbox) if uid not in FakeImap.seen]
            return "OK", [b" ".join(unseen)]
        if command == "FETCH":
            uid, what = args
            assert what == "(BODY.PEEK[])"
            return "OK", [(uid + b" (UID " + uid + b" BODY[] {999}", self.mailbox[uid]), b")"]
        if command == "STORE":
            uid, _, flags = args
            assert flags == "(\\Seen)"
            FakeImap.seen.add(uid)
            return "OK", [b""]
        raise AssertionError(command)

    def logout(self):
        self.logged_out = True
        return "BYE", [b""]


@pytest.fixture
def fake_imap(monkeypatch, settings):
    settings.CONTACTS_IMAP_HOST = "imap.example.com"
    settings.CONTACTS_IMAP_USER = "care@shop.example"
    settings.CONTACTS_IMAP_PASSWORD = "secret"
    FakeImap.instances = []
    FakeImap.mailbox = {b"1": _raw(1), b"2": _raw(2, "nobody@example.net"), b"3": b"\x00\x01"}
    FakeImap.seen = set()
    FakeImap.refuse_login = False
    monkeypatch.setattr(imaplib, "IMAP4_SSL", FakeImap)
    return FakeImap


def test_the_beat_task_imports_unseen_mail_and_marks_it_seen(fake_imap, shopper):
    summary = ingest_imap_task.delay().get()

    assert summary == (
        "imported 2 (matched 1, unmatched 1), already imported 0, skipped 1 "
        "(no headers (not an e-mail): 1)"
    )
    server = fake_imap.instances[0]
    assert (server.host, server.port) == ("imap.example.com", 993)
    assert ("login", "care@shop.example", "secret") in server.calls
    assert ("select", '"INBOX"') in server.calls
    assert server.logged_out
    assert fake_imap.seen == {b"1", b"2", b"3"}
    assert ContactLog.objects.get(message_id="<imap-1@mail.example.com>").profile == (
        shopper.profile
    )


def test_a_second_run_finds_nothing_new(fake_imap):
    ingest_imap_task.delay().get()
    fake_imap.seen.clear()  # another mail client marked everything unread again

    summary = ingest_imap_task.delay().get()

    assert summary.startswith("imported 0 (matched 0, unmatched 0), already imported 2")
    assert ContactLog.objects.count() == 2


def test_the_batch_size_limits_one_run(fake_imap, settings):
    settings.CONTACTS_IMAP_BATCH = 1
    ingest_imap_task.delay().get()
    assert ContactLog.objects.count() == 1
    assert fake_imap.seen == {b"1"}


def test_a_refused_login_fails_the_task_and_logs_out(fake_imap):
    fake_imap.refuse_login = True
    with pytest.raises(imaplib.IMAP4.error):
        ingest_imap_task.delay().get()
    assert fake_imap.instances[0].logged_out
    assert not ContactLog.objects.exists()


def test_without_a_host_the_task_does_nothing(settings, monkeypatch):
    settings.CONTACTS_IMAP_HOST = ""
    monkeypatch.setattr(imaplib, "IMAP4_SSL", lambda *a, **k: pytest.fail("connected"))
    assert ingest_imap_task.delay().get() == "IMAP import is not configured"


@pytest.mark.parametrize(
    ("folder", "sent"),
    [
        ("Customer care", '"Customer care"'),
        ('Say "hi"', '"Say \\"hi\\""'),
        ("Back\\slash", '"Back\\\\slash"'),
    ],
)
def test_a_folder_name_with_spaces_or_quotes_is_sent_quoted(fake_imap, settings, folder, sent):
    settings.CONTACTS_IMAP_FOLDER = folder
    ingest_imap_task.delay().get()
    assert ("select", sent) in fake_imap.instances[0].calls


@pytest.mark.parametrize(
    ("folder", "sent"),
    [
        ("Rückfragen", '"R&APw-ckfragen"'),
        ("Tom & Jerry", '"Tom &- Jerry"'),
        ("~peter/mail/台北/日本語", '"~peter/mail/&U,BTFw-/&ZeVnLIqe-"'),  # RFC 3501's example
    ],
)
def test_a_folder_name_beyond_ascii_is_sent_in_modified_utf7(fake_imap, settings, folder, sent):
    settings.CONTACTS_IMAP_FOLDER = folder
    ingest_imap_task.delay().get()
    assert ("select", sent) in fake_imap.instances[0].calls


def test_a_folder_name_with_a_line_break_is_refused_not_sent(fake_imap, settings):
    from contacts.imap import ImapError

    settings.CONTACTS_IMAP_FOLDER = "INBOX\r\nA1 DELETE INBOX"
    with pytest.raises(ImapError, match="line break"):
        ingest_imap_task.delay().get()
    assert not [call for call in fake_imap.instances[0].calls if call[0] == "select"]
    assert fake_imap.instances[0].logged_out
