from celery import shared_task

from profiles.background import TRANSIENT_MAIL_ERRORS


@shared_task(acks_late=True, autoretry_for=TRANSIENT_MAIL_ERRORS, retry_backoff=30, max_retries=5)
def send_feedback_reply_task(item_id: int) -> None:
    from feedback.services import feedback_reply_send

    feedback_reply_send(item_id=item_id)
