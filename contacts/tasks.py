from celery import shared_task
from django.db import OperationalError

from contacts.imap import TRANSIENT_IMAP_ERRORS


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=10, max_retries=5)
def essence_task(log_id: int) -> None:
    from contacts.services import contact_essence

    contact_essence(log_id=log_id)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_IMAP_ERRORS, retry_backoff=60, max_retries=3)
def ingest_imap_task() -> str:
    """For Celery beat: import new mail from the IMAP mailbox in settings, if one is set."""
    from contacts.imap import imap_ingest

    report = imap_ingest()
    return report.line() if report is not None else "IMAP import is not configured"


@shared_task(acks_late=True)
def essence_sweep_task() -> int:
    """For Celery beat: contacts whose essence task was lost get their essence now."""
    from contacts.services import essence_sweep

    return essence_sweep()
