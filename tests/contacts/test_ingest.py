"""`manage.py ingest_mail`: mbox, Maildir and .eml folders, as mail really arrives."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from contacts.models import Channel, ContactLog, Direction
from contacts.services import mail_import, mail_ingest

pytestmark = pytest.mark.django_db


def ingest(path) -> str:
    out = StringIO()
    call_command("ingest_mail", str(path), stdout=out)
    return out.getvalue()


def log(message_id: str) -> ContactLog:
    return ContactLog.objects.get(message_id=message_id)


def test_an_mbox_is_imported_and_senders_matched_case_insensitively(
    mail_dir, shopper, other_shopper
):
    output = ingest(mail_dir / "customers.mbox")

    assert output.strip().splitlines()[-1] == (
        "imported 4 (matched 3, unmatched 1), already imported 0, skipped 0"
    )
    reply = log("<reply-1@mail.example.com>")
    assert reply.profile == shopper.profile  # From: ALICE@Example.com
    assert (reply.channel, reply.direction) == (Channel.EMAIL, Direction.IN)
    assert reply.counterpart == "alice@example.com"
    assert reply.subject == "Re: Your order 100042 has shipped"
    assert reply.occurred_at.isoformat() == "2026-11-30T09:12:00+00:00"
    assert log("<angry-1@mail.example.com>").profile == other_shopper.profile
    stranger = log("<praise-1@mail.example.org>")
    assert stranger.profile is None
    assert stranger.unmatched_reason == "no customer with this e-mail address"


def test_mail_from_the_shop_is_outbound_and_belongs_to_its_recipient(mail_dir, shopper):
    ingest(mail_dir / "customers.mbox")

    answer = log("<shop-reply-1@patientcrm.example>")
    assert answer.direction == Direction.OUT
    assert answer.counterpart == "alice@example.com"
    assert answer.profile == shopper.profile


def test_a_maildir_with_multipart_html_only_and_quoted_printable_mail(mail_dir, shopper):
    output = ingest(mail_dir / "maildir")

    assert "imported 3 (matched 1, unmatched 2)" in output
    multipart = log("<multipart-1@mail.example.com>")
    assert multipart.profile == shopper.profile
    assert multipart.attachments == ["receipt.pdf", "photo of the board.png"]
    assert "walnut chopping board come in a larger size?" in multipart.body
    assert "<p>" not in multipart.body and "%PDF" not in multipart.body
    html_only = log("<html-only-1@mail.example.net>")
    assert "My order has not arrived yet" in html_only.body
    assert "alert(1)" not in html_only.body and "color:red" not in html_only.body
    # The quoted blockquote is kept as a quote, for the essence to drop.
    assert "> Your order has been dispatched." in html_only.body
    quoted_printable = log("<qp-1@mail.example.com>")
    assert quoted_printable.subject == "Café crème capsules"
    assert "café crème capsules that fit the older machines? I would like" in (
        quoted_printable.body
    )
    assert "fifty \u2013 they" in quoted_printable.body


def test_odd_charsets_are_read_and_broken_messages_skipped_with_their_reason(mail_dir):
    output = ingest(mail_dir / "eml")

    assert output.strip().splitlines()[-1] == (
        "imported 7 (matched 0, unmatched 7), already imported 0, skipped 3 "
        "(empty message: 1, no headers (not an e-mail): 1, no sender address: 1)"
    )
    assert log("<latin1@mail.example.com>").subject == "Crème brûlée set"
    assert "crème brûlée set arrived" in log("<latin1@mail.example.com>").body
    assert (
        log("<cp1252@mail.example.com>").body
        == "Is the \u201cdeluxe\u201d hamper still \u20ac45? I\u2019d like two."
    )
    # Declared UTF-8, written in Latin-1: read as what it is, not as replacement marks.
    assert "jalapeño grinder, the señal" in log("<wrong-charset@mail.example.com>").body
    # A charset Python does not know.
    assert log("<unknown-charset@mail.example.com>").body == "The naïve tea is great — thanks."
    # Raw 8-bit bytes in a header.
    assert log("<raw-8bit-header@mail.example.com>").subject == "Grüße aus Köln"
    broken = log("<broken-mime@mail.example.com>")
    assert broken.body == "The order form cut me off half way thro"
    assert "unreadable date" in broken.unmatched_reason
    assert "broken MIME structure" in broken.unmatched_reason


def test_a_message_without_message_id_gets_a_stable_one(mail_dir):
    ingest(mail_dir / "eml")
    first = ContactLog.objects.get(counterpart="jack@example.com").message_id
    assert first.startswith("<sha256-") and first.endswith("@no-message-id>")

    ingest(mail_dir / "eml")
    assert ContactLog.objects.filter(counterpart="jack@example.com").count() == 1


@pytest.mark.parametrize("source", ["customers.mbox", "maildir", "eml"])
def test_a_second_import_adds_nothing(mail_dir, shopper, source):
    first = mail_ingest(path=mail_dir / source)
    count = ContactLog.objects.count()

    second = mail_ingest(path=mail_dir / source)

    assert ContactLog.objects.count() == count
    assert second.imported == 0
    assert second.already == first.imported


def test_one_eml_file_can_be_imported_on_its_own(mail_dir):
    assert "imported 1 (matched 0, unmatched 1)" in ingest(mail_dir / "eml" / "latin1.eml")


def test_a_message_that_breaks_the_database_write_does_not_stop_the_import(mail_dir, monkeypatch):
    from contacts import services

    real = services.mail_import
    calls = []

    def flaky(*, raw, own=None):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(raw=raw, own=own)

    monkeypatch.setattr(services, "mail_import", flaky)
    report = mail_ingest(path=mail_dir / "customers.mbox")

    assert report.imported == 3
    assert report.skipped == {"failed (RuntimeError)": 1}


def test_nul_characters_never_reach_the_database(db):
    raw = (
        b"From: nul@example.com\r\nMessage-ID: <nul@x>\r\nSubject: a\x00b\r\n"
        b"Content-Type: text/plain\r\n\r\nbefore\x00after\r\n"
    )
    outcome, log_row = mail_import(raw=raw)
    assert outcome == "unmatched"
    assert log_row.body == "beforeafter"


def test_the_command_refuses_a_path_that_does_not_exist(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("ingest_mail", str(tmp_path / "nope"), stdout=StringIO())


def test_the_command_shows_progress_and_skipped_messages(mail_dir):
    output = ingest(mail_dir / "eml")
    assert output.startswith(f"importing mail from {mail_dir / 'eml'} ...")
    assert "broken.eml: skipped: no headers (not an e-mail)" in output


def test_an_address_two_customers_share_is_left_for_staff(mail_dir, shopper):
    from profiles.models import Source
    from profiles.services import learn
    from tests.factories import make_shopper

    twin = make_shopper(email="twin@example.com")
    learn(twin.profile, "email", "alice@example.com", source=Source.CUSTOMER, origin="x")

    ingest(mail_dir / "customers.mbox")

    reply = log("<reply-1@mail.example.com>")
    assert reply.profile is None
    assert reply.unmatched_reason == "2 customers share this e-mail address"


def test_a_sender_known_by_an_email_fact_is_matched(mail_dir):
    from profiles.models import Source
    from profiles.services import learn
    from tests.factories import make_shopper

    dave = make_shopper(name="Dave Dunn", email="dave.dunn@work.example")
    learn(dave.profile, "email", "Dave@Example.NET", source=Source.CUSTOMER, origin="x")

    ingest(mail_dir / "maildir")

    assert log("<html-only-1@mail.example.net>").profile == dave.profile


def test_a_message_dated_in_the_future_is_dated_when_imported(db):
    raw = (
        b"From: spam@example.com\r\nMessage-ID: <future@x>\r\nSubject: Win\r\n"
        b"Date: Fri, 01 Jan 2100 00:00:00 +0000\r\n\r\nYou won.\r\n"
    )
    before = timezone.now()
    _, log_row = mail_import(raw=raw)
    assert before <= log_row.occurred_at <= timezone.now()
    assert log_row.unmatched_reason == "no customer with this e-mail address; date in the future"


@pytest.mark.parametrize(
    ("date", "reason"),
    [
        (b"Mon, 1 Jan 99999 00:00:00 +0000", "unreadable date"),
        (b"Mon, 01 Jan 2026 00:00:00 +99999999999999999999", "unreadable date"),
        (b"Fri, 31 Dec 9999 23:59:59 -2359", "unreadable date"),
        (b"Mon, 1 Jan 100 00:00:00 +0000", "date before e-mail existed"),
        (b"Sat, 1 Jan 1000 00:00:00 +0000", "date before e-mail existed"),
        (b"Thu, 1 Jan 1970 00:00:00 +0000", "date before e-mail existed"),
    ],
)
def test_an_impossible_date_is_read_as_now_and_the_message_imported(db, date, reason):
    raw = (
        b"From: someone@example.com\r\nMessage-ID: <odd-date@x>\r\nSubject: Hello\r\n"
        b"Date: " + date + b"\r\n\r\nWhere is my parcel?\r\n"
    )
    before = timezone.now()
    outcome, log_row = mail_import(raw=raw)
    assert outcome == "unmatched"
    assert before <= log_row.occurred_at <= timezone.now()
    assert reason in log_row.unmatched_reason


def test_a_file_that_cannot_be_read_is_skipped_and_the_rest_imported(mail_dir, monkeypatch):
    from pathlib import Path

    real = Path.read_bytes

    def read_bytes(self):
        if self.name == sorted((mail_dir / "eml").rglob("*.eml"))[0].name:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    output = ingest(mail_dir / "eml")
    assert "unreadable file (PermissionError)" in output
    assert "Traceback" not in output
    assert ContactLog.objects.exists()


def test_an_mbox_that_cannot_be_opened_is_one_line_not_a_traceback(mail_dir, monkeypatch):
    import mailbox

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(mailbox, "mbox", refuse)
    output = ingest(mail_dir / "customers.mbox")
    assert "skipped 1 (unreadable file (PermissionError): 1)" in output.splitlines()[-1]


def test_a_folder_without_mail_says_so(tmp_path, db):
    (tmp_path / "notes.txt").write_text("not mail")
    output = ingest(tmp_path)
    assert f"no messages found in {tmp_path}" in output
    assert output.strip().splitlines()[-1].startswith("imported 0")


def test_a_folder_that_can_be_listed_but_not_entered_is_skipped_and_the_rest_imported(
    mail_dir, monkeypatch
):
    """A folder with read but no execute permission shows its file names and refuses
    to say what they are; the import reports them and goes on."""
    from pathlib import Path

    real = Path.is_file
    refused = sorted((mail_dir / "eml").rglob("*.eml"))[0]

    def is_file(self):
        if self == refused:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "is_file", is_file)
    output = ingest(mail_dir / "eml")

    assert f"{refused.name}: skipped: unreadable file (PermissionError)" in output
    assert "Traceback" not in output
    assert ContactLog.objects.exists()


def test_a_path_that_cannot_even_be_looked_at_is_a_clear_command_error(tmp_path, monkeypatch):
    from pathlib import Path

    def exists(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "exists", exists)
    with pytest.raises(CommandError, match=r"Could not read .*: Permission denied"):
        call_command("ingest_mail", str(tmp_path / "locked" / "mail.mbox"), stdout=StringIO())


def test_an_empty_mbox_says_no_messages_were_found(tmp_path, db):
    box = tmp_path / "empty.mbox"
    box.write_bytes(b"")
    output = ingest(box)
    assert f"no messages found in {box}" in output
    assert not ContactLog.objects.exists()


@pytest.mark.parametrize("sender", ["Alice@Example.COM", "ALICE@EXAMPLE.COM", "alice@example.com"])
def test_a_sender_in_any_case_matches_the_customer_on_ingest(tmp_path, shopper, sender):
    (tmp_path / "one.eml").write_bytes(
        f"From: Alice <{sender}>\r\nMessage-ID: <case@x>\r\nSubject: Parcel\r\n"
        "Date: Tue, 01 Dec 2026 14:30:00 +0000\r\n\r\nWhere is my parcel?\r\n".encode()
    )
    output = ingest(tmp_path)

    assert "imported 1 (matched 1, unmatched 0)" in output
    log_row = ContactLog.objects.get()
    assert (log_row.profile, log_row.counterpart) == (shopper.profile, "alice@example.com")
