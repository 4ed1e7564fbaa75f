from celery import shared_task

from profiles.background import TRANSIENT_MAIL_ERRORS


@shared_task(acks_late=True, autoretry_for=TRANSIENT_MAIL_ERRORS, retry_backoff=30, max_retries=5)
def send_feedback_reply_task(item_id: int) -> None:
    from feedback.services import feedback_reply_send

    feedback_reply_send(item_id=item_id)


@shared_task(acks_late=True)
def send_pending_feedback_replies_task() -> int:
    """For Celery beat: replies whose e-mail task was lost are sent now, once."""
    from feedback.services import feedback_replies_send_pending

    return feedback_replies_send_pending()
