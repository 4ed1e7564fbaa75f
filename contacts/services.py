"""Writes of the contacts stage: importing e-mail, logging calls, attaching a contact to a
customer, and storing each contact's essence with what the profile learns from it."""

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts.essence import essence_of
from contacts.mail import ParsedMail, Unreadable, parse_message, read_mail_path
from contacts.models import Channel, ContactLog, Direction
from contacts.phones import normalise_phone, require_phone
from contacts.selectors import Match, profile_for_email, profile_for_phone
from contacts.tasks import essence_task
from profiles import services as profile_services
from profiles.background import enqueue_on_commit
from profiles.models import CustomerProfile, Kind, ProfileFact, Source
from profiles.selectors import current_values
from shop.models import Order

logger = logging.getLogger(__name__)

MAX_CALL_SECONDS = 24 * 60 * 60
TOUCHPOINT_SUMMARY_MAX = 200  # Touchpoint.summary's length
# Values of preferred_contact_channel (profiles attribute catalogue) per channel.
CHANNEL_PREFERENCE: dict[str, str] = {Channel.EMAIL: "E-mail", Channel.PHONE: "Phone"}
# A preference the customer stated themselves is never overridden by what we infer.
STATED_SOURCES = {Source.CUSTOMER, Source.QUESTION, Source.SURVEY, Source.STAFF}


# --- E-mail import --------------------------------------------------------------------


@dataclass
class IngestReport:
    imported: int = 0
    matched: int = 0
    unmatched: int = 0
    already: int = 0
    skipped: Counter = field(default_factory=Counter)

    def add(self, outcome: str, reason: str = "") -> None:
        if outcome == "matched":
            self.imported += 1
            self.matched += 1
        elif outcome == "unmatched":
            self.imported += 1
            self.unmatched += 1
        elif outcome == "already":
            self.already += 1
        else:
            self.skipped[reason or "unknown"] += 1

    @property
    def read(self) -> int:
        return self.imported + self.already + sum(self.skipped.values())

    def line(self) -> str:
        skipped = sum(self.skipped.values())
        reasons = ", ".join(f"{reason}: {n}" for reason, n in sorted(self.skipped.items()))
        return (
            f"imported {self.imported} (matched {self.matched}, unmatched {self.unmatched}), "
            f"already imported {self.already}, skipped {skipped}"
            + (f" ({reasons})" if reasons else "")
        )


def own_addresses() -> set[str]:
    """The shop's own addresses: mail from them is outbound, to the customer."""
    configured = getattr(settings, "CONTACTS_OWN_ADDRESSES", None)
    if configured is None:
        configured = [settings.DEFAULT_FROM_EMAIL]
    return {parseaddr(item)[1].lower() for item in configured if parseaddr(item)[1]}


def mail_import(*, raw: bytes, own: set[str] | None = None) -> tuple[str, ContactLog | None]:
    """Import one raw e-mail. Returns ("matched" | "unmatched", log), ("already", log)
    when its Message-ID was imported before, or ("skipped: <reason>", None).

    Never raises for a bad message; a database error other than the duplicate is
    the caller's to handle.
    """
    try:
        parsed = parse_message(raw)
    except Unreadable as error:
        return f"skipped: {error}", None
    existing = ContactLog.objects.filter(message_id=parsed.message_id).first()
    if existing is not None:
        return "already", existing
    own = own_addresses() if own is None else own
    outbound = parsed.sender in own
    counterpart = _counterpart(parsed, outbound=outbound, own=own)
    match = profile_for_email(counterpart) if counterpart else Match(None, "no customer address")
    notes = [match.reason] if match.reason else []
    notes += parsed.problems
    try:
        with transaction.atomic():
            log = ContactLog.objects.create(
                profile=match.profile,
                channel=Channel.EMAIL,
                direction=Direction.OUT if outbound else Direction.IN,
                occurred_at=parsed.sent_at or timezone.now(),
                counterpart=counterpart,
                subject=parsed.subject,
                body=parsed.body,
                message_id=parsed.message_id,
                attachments=parsed.attachments,
                unmatched_reason="; ".join(notes)[:200],
            )
            enqueue_on_commit(essence_task, log_id=log.pk)
    except IntegrityError:
        # The same message imported a moment ago by a concurrent run (IMAP and a file).
        return "already", ContactLog.objects.filter(message_id=parsed.message_id).first()
    return ("matched" if log.profile_id else "unmatched"), log


def _counterpart(parsed: ParsedMail, *, outbound: bool, own: set[str]) -> str:
    if not outbound:
        return parsed.sender
    customers = [address for address in parsed.recipients if address not in own]
    return customers[0] if customers else ""


def mail_ingest_one(*, label: str, raw: bytes, own: set[str], report: IngestReport) -> str:
    """Import one message into `report`; a bad message or a failed write is counted as
    skipped with its reason, never raised."""
    try:
        outcome, _ = mail_import(raw=raw, own=own)
    except Exception as error:  # the import goes on; the operator sees why
        logger.exception("could not import %s", label)
        outcome = f"skipped: failed ({type(error).__name__})"
    if outcome.startswith("skipped: "):
        report.add("skipped", outcome.removeprefix("skipped: "))
    else:
        report.add(outcome)
    return outcome


def mail_ingest_messages(
    messages: Iterable[tuple[str, bytes | None, str]], *, progress=None
) -> IngestReport:
    """Import each (label, raw, read_error); one bad message never stops the rest."""
    report = IngestReport()
    own = own_addresses()
    for label, raw, read_error in messages:
        if raw is None:
            report.add("skipped", read_error)
            outcome = f"skipped: {read_error}"
        else:
            outcome = mail_ingest_one(label=label, raw=raw, own=own, report=report)
        if progress is not None:
            progress(label, outcome, report)
    return report


def mail_ingest(*, path: Path, progress=None) -> IngestReport:
    """Import an mbox file, a Maildir or a folder of .eml files (see read_mail_path)."""
    return mail_ingest_messages(read_mail_path(path), progress=progress)


# --- Phone calls ----------------------------------------------------------------------


def call_log(
    *,
    number: str = "",
    profile: CustomerProfile | None = None,
    direction: str = Direction.IN,
    duration_seconds: int | None = None,
    notes: str = "",
    occurred_at: datetime | None = None,
    logged_by=None,
    key: str = "",
) -> ContactLog:
    """Log a phone call. The number is normalised to E.164; without a customer given,
    the number finds one through their phone fact, or the call waits in the unmatched
    queue. Raises ValidationError for a number that is not one, or neither given.

    `key` identifies a call loaded from elsewhere (the demo, a telephony export): the
    same key logged twice returns the first call.
    """
    if key:
        existing = ContactLog.objects.filter(message_id=key).first()
        if existing is not None:
            return existing
    number = require_phone(number) if number and number.strip() else ""
    if not number and profile is None:
        raise ValidationError("Give the customer or the phone number they called from.")
    if duration_seconds is not None and not 0 <= duration_seconds <= MAX_CALL_SECONDS:
        raise ValidationError("A call lasts between 0 seconds and a day.")
    if direction not in Direction.values:
        raise ValidationError("Choose whether the customer called us or we called them.")
    reason = ""
    if profile is None:
        match = profile_for_phone(number)
        profile, reason = match.profile, match.reason
    with transaction.atomic():
        log = ContactLog.objects.create(
            profile=profile,
            channel=Channel.PHONE,
            direction=direction,
            occurred_at=occurred_at or timezone.now(),
            counterpart=number,
            body=notes.replace("\x00", "").strip(),
            duration_seconds=duration_seconds,
            unmatched_reason=reason,
            logged_by=logged_by,
            message_id=key,
        )
        enqueue_on_commit(essence_task, log_id=log.pk)
    return log


# --- Attaching an unmatched contact ---------------------------------------------------


@transaction.atomic
def contact_attach(*, log: ContactLog, profile: CustomerProfile, staff) -> ContactLog:
    """Staff say whose e-mail or call this was. The essence is worked out again for the
    customer (touchpoint, facts, their own orders linked), and the address or number is
    learned so their next message finds them by itself."""
    locked = ContactLog.objects.select_for_update().get(pk=log.pk)
    if locked.profile_id is not None and locked.profile_id != profile.pk:
        raise ValidationError("This contact belongs to another customer already.")
    if locked.profile_id == profile.pk:
        return locked
    ContactLog.objects.filter(pk=log.pk).update(
        profile=profile, unmatched_reason="", logged_by=locked.logged_by or staff
    )
    locked.refresh_from_db()
    if locked.counterpart:
        _learn_counterpart(locked, profile=profile, staff=staff)
    enqueue_on_commit(essence_task, log_id=locked.pk)
    return locked


def _learn_counterpart(log: ContactLog, *, profile: CustomerProfile, staff) -> None:
    if log.channel == Channel.PHONE:
        _learn_phone(log, profile=profile, recorded_by=staff)
        return
    known = current_values(profile, ["email"]).get("email")
    if log.counterpart.lower() in {str(known or "").lower(), profile.user.email.lower()}:
        return
    profile_services.learn(
        profile, "email", log.counterpart, source=Source.CONTACT, ref=log, recorded_by=staff
    )


def _learn_phone(log: ContactLog, *, profile: CustomerProfile, recorded_by=None) -> None:
    """Teach the number unless the current phone fact is this number in another format."""
    known = current_values(profile, ["phone"]).get("phone")
    if isinstance(known, str) and normalise_phone(known) == log.counterpart:
        return
    profile_services.learn(
        profile,
        "phone",
        log.counterpart,
        source=Source.CONTACT,
        ref=log,
        observed_at=log.occurred_at,
        recorded_by=recorded_by,
    )


# --- The essence ----------------------------------------------------------------------


def contact_essence(*, log_id: int) -> ContactLog | None:
    """Work out and store the essence of one contact; for a matched one, also link the
    customer's own orders it mentions, add it to their timeline and teach their profile.

    Idempotent: the touchpoint and facts are keyed by the log, so a retried task or a
    re-run after attaching writes each of them once.
    """
    log = ContactLog.objects.select_related("profile__user").filter(pk=log_id).first()
    if log is None:
        return None  # deleted meanwhile (erased, say): nothing to do
    names = [log.counterpart.split("@")[0].replace(".", " ")] if "@" in log.counterpart else []
    if log.profile is not None:
        names.append(log.profile.user.name)
    essence = essence_of(
        subject=log.subject, body=log.body, is_email=log.channel == Channel.EMAIL, names=names
    )
    with transaction.atomic():
        ContactLog.objects.filter(pk=log.pk).update(
            summary=essence.summary,
            topics=essence.topics,
            sentiment_score=essence.sentiment_score,
            sentiment=essence.sentiment,
            intent=essence.intent,
            order_numbers=essence.order_numbers,
            essence_done_at=timezone.now(),
        )
        log.refresh_from_db()
        if log.profile is not None:
            _link_orders(log, profile=log.profile)
            _record_on_profile(log, profile=log.profile)
    return log


SWEEP_AFTER = timedelta(minutes=5)
SWEEP_BATCH = 200


def essence_sweep(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Work out the essence of contacts whose task was lost (a broker down when they were
    logged): those still without one a few minutes on. Returns how many were done."""
    now = now or timezone.now()
    waiting = ContactLog.objects.filter(
        essence_done_at__isnull=True, created_at__lte=now - SWEEP_AFTER
    ).order_by("pk")
    done = 0
    for log_id in list(waiting.values_list("pk", flat=True)[:limit]):
        try:
            if contact_essence(log_id=log_id) is not None:
                done += 1
        except Exception:
            # One message the essence chokes on must not hold up the others.
            logger.exception("could not work out the essence of contact %s; will try again", log_id)
    return done


def _link_orders(log: ContactLog, *, profile: CustomerProfile) -> None:
    # Only the customer's own orders: anyone can write somebody else's order number.
    orders = Order.objects.filter(profile=profile, number__in=log.order_numbers)
    log.orders.set(orders)


def _record_on_profile(log: ContactLog, *, profile: CustomerProfile) -> None:
    profile_services.record_touchpoint(
        profile,
        Kind.CONTACT_LOGGED,
        ref=log,
        summary=touchpoint_summary(log),
        occurred_at=log.occurred_at,
    )
    if log.channel == Channel.PHONE and log.counterpart:
        _learn_phone(log, profile=profile)
    if log.direction == Direction.IN:
        _learn_preferred_channel(log, profile=profile)


def touchpoint_summary(log: ContactLog) -> str:
    """What the timeline shows: channel and direction, intent and mood, then the gist."""
    way = "E-mail" if log.channel == Channel.EMAIL else "Call"
    way += " from customer" if log.direction == Direction.IN else " to customer"
    labels = [way]
    if log.intent:
        labels.append(log.get_intent_display().lower())
    if log.sentiment:
        labels.append(log.get_sentiment_display().lower())
    gist = log.summary or log.subject
    text = ", ".join(labels) + (f": {gist}" if gist else "")
    if len(text) > TOUCHPOINT_SUMMARY_MAX:
        text = text[: TOUCHPOINT_SUMMARY_MAX - 1].rsplit(" ", 1)[0] + "…"
    return text


def _learn_preferred_channel(log: ContactLog, *, profile: CustomerProfile) -> None:
    """The channel this customer uses most to reach us, among e-mail and phone."""
    current = (
        ProfileFact.objects.filter(
            profile=profile, attribute__key="preferred_contact_channel", is_current=True
        )
        .only("source")
        .first()
    )
    if current is not None and current.source in STATED_SOURCES:
        return
    counts = Counter(
        ContactLog.objects.filter(profile=profile, direction=Direction.IN).values_list(
            "channel", flat=True
        )
    )
    top = max(counts.values())
    # A tie goes to the channel of this, the newest, contact.
    winner = log.channel if counts[log.channel] == top else counts.most_common(1)[0][0]
    profile_services.learn(
        profile,
        "preferred_contact_channel",
        CHANNEL_PREFERENCE[winner],
        source=Source.CONTACT,
        ref=log,
        observed_at=log.occurred_at,
    )
