"""Reading e-mail as it really arrives: odd charsets, HTML only, attachments, broken MIME.

`parse_message(raw)` never raises for a bad message: it returns what it could read,
with the problems it met, or raises `Unreadable` with a reason fit for the import's
summary line. Mailboxes on disk are read by `read_mail_path` (mbox file, Maildir, or
a folder of .eml files), one raw message at a time.
"""

import email
import hashlib
import mailbox
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path

from django.utils import timezone

MAX_BODY = 100_000
MAX_SUBJECT = 300
MAX_MESSAGE_ID = 255
FUTURE_SLACK = timedelta(days=1)
# The first networked e-mail was sent in 1971: anything older is a zeroed clock (1970)
# or a mangled year ("1 Jan 100"), and would date the customer's timeline in antiquity.
EARLIEST_MAIL = datetime(1971, 1, 1, tzinfo=UTC)
# Charsets that decode any byte string: a wrong label here hides UTF-8 text as mojibake,
# so valid UTF-8 is preferred over them.
_PERMISSIVE_CHARSETS = re.compile(
    r"^(us-)?ascii$|^iso[-_]?8859|^latin|^(windows|cp)[-_]?125\d$|^unknown", re.IGNORECASE
)


class Unreadable(Exception):
    """The message cannot be imported; the text is the reason."""


@dataclass
class ParsedMail:
    message_id: str
    sender: str
    sender_name: str
    recipients: list[str]
    subject: str
    sent_at: datetime | None
    body: str
    attachments: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def parse_message(raw: bytes) -> ParsedMail:
    if not raw or not raw.strip():
        raise Unreadable("empty message")
    try:
        message = email.message_from_bytes(raw, policy=policy.default)
    except Exception as error:  # the parser is lenient; this is a last resort
        raise Unreadable(f"unparsable ({type(error).__name__})") from error
    if not list(message.keys()):
        raise Unreadable("no headers (not an e-mail)")
    problems: list[str] = []
    sender_name, sender = _address(_header(message, "from", problems))
    if not sender:
        sender_name, sender = _address(_header(message, "sender", problems))
    if not sender:
        raise Unreadable("no sender address")
    recipients = [
        addr.lower() for _, addr in getaddresses([_header(message, "to", problems)]) if "@" in addr
    ]
    subject = _clean(_header(message, "subject", problems))[:MAX_SUBJECT]
    sent_at = _date(_header(message, "date", problems), problems)
    body, attachments = _body(message, problems)
    parsed = ParsedMail(
        message_id="",
        sender=sender,
        sender_name=sender_name,
        recipients=recipients,
        subject=subject,
        sent_at=sent_at,
        body=body,
        attachments=attachments,
        problems=problems,
    )
    parsed.message_id = _message_id(_header(message, "message-id", problems), parsed)
    return parsed


# --- Headers --------------------------------------------------------------------------


def _header(message: Message, name: str, problems: list[str]) -> str:
    try:
        value = message.get(name)
    except Exception:  # a malformed header raises while being parsed
        problems.append(f"unreadable {name} header")
        value = _raw_header(message, name)
    return _clean(_unsurrogate(str(value))) if value is not None else ""


def _raw_header(message: Message, name: str) -> str | None:
    for key, value in message.raw_items() if isinstance(message, EmailMessage) else []:
        if key.lower() == name:
            return value
    return None


def _unsurrogate(text: str) -> str:
    """Undo surrogate escapes of raw 8-bit header bytes, guessing their charset."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _decode(text.encode("utf-8", "surrogateescape"), None)


def _address(value: str) -> tuple[str, str]:
    name, addr = parseaddr(value)
    addr = addr.strip().lower()
    if "@" not in addr or " " in addr:
        return "", ""
    return _clean(name), addr[:254]


def _date(value: str, problems: list[str]) -> datetime | None:
    if not value:
        problems.append("no date")
        return None
    try:
        sent_at = parsedate_to_datetime(value)
        if timezone.is_naive(sent_at):
            sent_at = timezone.make_aware(sent_at, timezone.get_current_timezone())
        in_the_future = sent_at > timezone.now() + FUTURE_SLACK
        sent_at.astimezone(UTC)  # as the database will store it
    except (TypeError, ValueError, IndexError, OverflowError):
        # Absurd years and offsets ("1 Jan 99999", "+99999999") fail or overflow.
        problems.append("unreadable date")
        return None
    if in_the_future:
        # Spam and broken clocks: a message from the future would top every list forever.
        problems.append("date in the future")
        return None
    if sent_at < EARLIEST_MAIL:
        problems.append("date before e-mail existed")
        return None
    return sent_at


def _message_id(value: str, parsed: ParsedMail) -> str:
    found = re.search(r"<([^<>\s]+)>", value) or re.search(r"(\S+@\S+)", value)
    if found and len(found.group(1)) < MAX_MESSAGE_ID - 2:
        return f"<{found.group(1)}>"
    # No usable Message-ID: a stable id from what the message says, so a re-import of
    # the same message finds it again.
    digest = hashlib.sha256(
        "\x1f".join(
            [
                parsed.sender,
                ",".join(parsed.recipients),
                parsed.sent_at.isoformat() if parsed.sent_at else "",
                parsed.subject,
                parsed.body,
            ]
        ).encode("utf-8")
    ).hexdigest()
    return f"<sha256-{digest[:40]}@no-message-id>"


# --- Body -----------------------------------------------------------------------------


def _body(message: Message, problems: list[str]) -> tuple[str, list[str]]:
    plain: list[str] = []
    html: list[str] = []
    attachments: list[str] = []
    for part in _parts(message, problems):
        filename = _filename(part)
        disposition = (part.get_content_disposition() or "").lower()
        if filename or disposition == "attachment":
            attachments.append(filename or f"unnamed {part.get_content_type()}")
            continue
        content_type = part.get_content_type()
        if content_type == "text/plain":
            plain.append(_text_of(part, problems))
        elif content_type == "text/html":
            html.append(_text_of(part, problems))
    if plain and any(text.strip() for text in plain):
        body = "\n\n".join(text.strip() for text in plain if text.strip())
    elif html:
        body = "\n\n".join(html_to_text(text) for text in html)
    else:
        body = _salvage(message)
        problems.append("broken MIME structure, text salvaged" if body else "no text")
    return _clean_body(body), attachments


_MIME_LINE = re.compile(r"^(--\S*|content-[\w-]+:.*|mime-version:.*)$", re.IGNORECASE)


def _salvage(message: Message) -> str:
    """The readable text of a multipart message whose structure is broken (no boundary
    declared, say): its raw payload without boundary and part-header lines."""
    if message.get_content_maintype() != "multipart":
        return ""
    payload = message.get_payload()
    if not isinstance(payload, str):
        return ""
    text = _unsurrogate(payload)
    return "\n".join(line for line in text.splitlines() if not _MIME_LINE.match(line.strip()))


def _parts(message: Message, problems: list[str]) -> Iterator[Message]:
    try:
        for part in message.walk():
            if not part.is_multipart():
                yield part
    except Exception:
        problems.append("broken MIME structure")


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        return "unnamed attachment"
    return _clean(_unsurrogate(str(name)))[:200]


def _text_of(part: Message, problems: list[str]) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        problems.append("undecodable part")
        return ""
    if payload is None:
        payload = str(part.get_payload()).encode("utf-8", "surrogateescape")
    if not isinstance(payload, bytes):
        return ""
    try:
        declared = part.get_content_charset()
    except Exception:
        declared = None
    return _decode(payload, declared)


def _decode(payload: bytes, declared: str | None) -> str:
    """Bytes to text by the declared charset if it works, else UTF-8, else Windows-1252.

    Mail often lies about its charset (Latin-1 labelled UTF-8 and the other way round),
    and some labels are unknown to Python: no message is lost to either.
    """
    candidates = []
    if declared and _PERMISSIVE_CHARSETS.search(declared):
        candidates = ["utf-8", declared]
    elif declared:
        candidates = [declared, "utf-8"]
    else:
        candidates = ["utf-8"]
    for charset in [*candidates, "cp1252"]:
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("latin-1")


_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "table",
    "ul",
    "ol",
    "hr",
    "pre",
}


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skipping = 0
        self._quoting = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head", "title"):
            self._skipping += 1
        elif tag == "blockquote":
            self._quoting += 1
        if tag in _BLOCK_TAGS:
            self.chunks.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head", "title"):
            self._skipping = max(0, self._skipping - 1)
        elif tag == "blockquote":
            self._quoting = max(0, self._quoting - 1)
        if tag in _BLOCK_TAGS:
            self.chunks.append("\n")

    def handle_data(self, data):
        if self._skipping:
            return
        if self._quoting:
            # Quoted replies in HTML mail come as blockquotes; keep them as "> " lines
            # so the essence can drop them as it drops plain-text quotes.
            data = "\n".join(f"> {line}" if line.strip() else line for line in data.split("\n"))
        self.chunks.append(data)


def html_to_text(html: str) -> str:
    parser = _TextOfHtml()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        return re.sub(r"<[^>]+>", " ", html)
    text = "".join(parser.chunks)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _clean(text: str) -> str:
    return " ".join(text.replace("\x00", "").split())


def _clean_body(text: str) -> str:
    # PostgreSQL refuses NUL characters in text.
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()[:MAX_BODY]


# --- Mailboxes on disk ----------------------------------------------------------------


def read_mail_path(path: Path) -> Iterator[tuple[str, bytes | None, str]]:
    """Every message under `path` as (label, raw bytes, "") or (label, None, reason)
    when it could not even be read from disk.

    `path` is an mbox file, a Maildir (a folder with cur/ and new/), a folder of .eml
    files (searched recursively) or one .eml file. Raises ValueError for anything else.
    """
    if path.is_file() and path.suffix.lower() == ".eml":
        yield from _read_one(path.name, path.read_bytes)
    elif path.is_file():
        yield from _read_mbox(path)
    elif path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir():
        yield from _read_maildir(path)
    elif path.is_dir():
        yield from _read_eml_folder(path)
    else:
        raise ValueError(f"{path} is neither a file nor a folder")


def _unreadable(label: str, error: OSError, what: str = "file") -> tuple[str, None, str]:
    return label, None, f"unreadable {what} ({type(error).__name__})"


def _read_mbox(path: Path) -> Iterator[tuple[str, bytes | None, str]]:
    try:
        box = mailbox.mbox(path, factory=None, create=False)
        keys = list(box.iterkeys())
    except OSError as error:  # the whole box: one line in the report, not a traceback
        yield _unreadable(path.name, error)
        return
    try:
        for n, key in enumerate(keys, start=1):
            yield from _read_one(f"{path.name}#{n}", lambda key=key: box.get_bytes(key))
    finally:
        box.close()


def _read_maildir(path: Path) -> Iterator[tuple[str, bytes | None, str]]:
    try:
        box = mailbox.Maildir(path, factory=None, create=False)
        keys = sorted(box.iterkeys())
    except OSError as error:
        yield _unreadable(path.name, error, "folder")
        return
    for key in keys:
        yield from _read_one(f"{path.name}/{key}", lambda key=key: box.get_bytes(key))


def _read_eml_folder(path: Path) -> Iterator[tuple[str, bytes | None, str]]:
    """Every .eml file under `path`, in name order; a folder that cannot be listed is
    reported and the others are read."""
    unreadable: list[OSError] = []
    for root, folders, files in os.walk(path, onerror=unreadable.append):
        folders.sort()
        for name in sorted(files):
            file = Path(root) / name
            if file.suffix.lower() != ".eml":
                continue
            label = str(file.relative_to(path))
            try:
                # A folder that may be listed but not entered (r without x) lets its
                # names be seen and refuses the stat.
                is_file = file.is_file()
            except OSError as error:
                yield _unreadable(label, error)
                continue
            if is_file:
                yield from _read_one(label, file.read_bytes)
    for error in unreadable:
        folder = Path(error.filename) if error.filename else path
        label = str(folder.relative_to(path)) if folder != path else path.name
        yield _unreadable(label, error, "folder")


def _read_one(label: str, read) -> Iterator[tuple[str, bytes | None, str]]:
    try:
        yield label, read(), ""
    except (OSError, KeyError) as error:
        yield label, None, f"unreadable file ({type(error).__name__})"
