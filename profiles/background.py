"""Enqueueing Celery tasks so that a missing or hung broker never fails a request.

Work that matters is also recoverable without the broker (a stale flag and a
periodic sweep), so a failed enqueue is logged, not raised.
"""

import logging
import smtplib
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)

# The mail errors worth a retry; a bad address or template is not. Every task that
# sends e-mail retries on these and only these.
TRANSIENT_MAIL_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    TimeoutError,
    ConnectionError,
)


def enqueue(task, **kwargs) -> bool:
    try:
        task.apply_async(kwargs=kwargs)
    except Exception:  # kombu raises many kinds; none may reach the customer
        logger.exception("could not enqueue %s(%r); a sweep must catch up", task.name, kwargs)
        return False
    return True


def enqueue_on_commit(task, **kwargs) -> None:
    transaction.on_commit(partial(enqueue, task, **kwargs))
