"""E-mail from an IMAP mailbox, for production: Celery beat runs `ingest_imap_task`.

Settings (all optional; import is off while CONTACTS_IMAP_HOST is empty):
CONTACTS_IMAP_HOST, CONTACTS_IMAP_PORT (993), CONTACTS_IMAP_USER,
CONTACTS_IMAP_PASSWORD, CONTACTS_IMAP_FOLDER ("INBOX"), CONTACTS_IMAP_BATCH (200
messages per run), CONTACTS_IMAP_TIMEOUT (30 seconds).

Unseen messages are fetched with BODY.PEEK (which leaves them unseen) and marked
\\Seen only once imported, so a run that dies half-way fetches the rest next time;
one fetched twice is found by its Message-ID and not imported again.
"""

import base64
import imaplib
import logging
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

# Worth a retry of the whole run; a refused login or a missing folder is not.
TRANSIENT_IMAP_ERRORS = (imaplib.IMAP4.abort, OSError)


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    user: str
    password: str
    folder: str
    batch: int
    timeout: int


def imap_settings() -> ImapSettings:
    return ImapSettings(
        host=getattr(settings, "CONTACTS_IMAP_HOST", "") or "",
        port=int(getattr(settings, "CONTACTS_IMAP_PORT", 993) or 993),
        user=getattr(settings, "CONTACTS_IMAP_USER", "") or "",
        password=getattr(settings, "CONTACTS_IMAP_PASSWORD", "") or "",
        folder=getattr(settings, "CONTACTS_IMAP_FOLDER", "INBOX") or "INBOX",
        batch=int(getattr(settings, "CONTACTS_IMAP_BATCH", 200) or 200),
        timeout=int(getattr(settings, "CONTACTS_IMAP_TIMEOUT", 30) or 30),
    )


class ImapError(Exception):
    """The server refused something the import needs (login, the folder)."""


def imap_quote(folder: str) -> str:
    """A folder name as an IMAP quoted string: imaplib sends it as it is, so a name with
    a space ("Customer care") or a quote would be two arguments, or a syntax error; one
    with accents ("Rückfragen") goes in IMAP's modified UTF-7, as servers name it."""
    if "\r" in folder or "\n" in folder:
        # A quoted string cannot hold a line break; sent, it would end the command.
        raise ImapError(f"IMAP folder name {folder!r} contains a line break")
    escaped = _modified_utf7(folder).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _modified_utf7(text: str) -> str:
    """RFC 3501 5.1.3: printable ASCII as it is ("&" as "&-"), any other run as "&",
    its UTF-16 in base64 with "," for "/" and no padding, then "-"."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            encoded = base64.b64encode("".join(run).encode("utf-16-be")).decode("ascii")
            out.append("&" + encoded.rstrip("=").replace("/", ",") + "-")
            run.clear()

    for char in text:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            run.append(char)
    flush()
    return "".join(out)


def _ok(response, what: str):
    kind, data = response
    if kind != "OK":
        raise ImapError(f"IMAP {what} failed: {data!r}")
    return data


def _raw_of(data) -> bytes | None:
    for item in data or []:
        if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def imap_ingest():
    """Import up to CONTACTS_IMAP_BATCH unseen messages; None when IMAP is not set up."""
    from contacts.services import IngestReport, mail_ingest_one, own_addresses

    config = imap_settings()
    if not config.host:
        return None
    report = IngestReport()
    own = own_addresses()
    connection = imaplib.IMAP4_SSL(config.host, config.port, timeout=config.timeout)
    try:
        _ok(connection.login(config.user, config.password), "login")
        _ok(connection.select(imap_quote(config.folder)), f"select {config.folder}")
        uids = (_ok(connection.uid("SEARCH", None, "UNSEEN"), "search")[0] or b"").split()
        for uid in uids[: config.batch]:
            data = _ok(connection.uid("FETCH", uid, "(BODY.PEEK[])"), "fetch")
            raw = _raw_of(data)
            label = f"imap:{config.folder}/{uid.decode()}"
            if raw is None:
                report.add("skipped", "empty IMAP fetch")
                continue
            outcome = mail_ingest_one(label=label, raw=raw, own=own, report=report)
            if not outcome.startswith("skipped: failed"):
                # A failed write (database down) stays unseen, to be fetched again.
                connection.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        try:
            connection.logout()
        except Exception:  # the server may have gone already
            logger.warning("IMAP logout failed", exc_info=True)
    logger.info("IMAP import from %s/%s: %s", config.host, config.folder, report.line())
    return report
