from celery import shared_task

from profiles.background import TRANSIENT_MAIL_ERRORS


@shared_task(acks_late=True, autoretry_for=TRANSIENT_MAIL_ERRORS, retry_backoff=30, max_retries=5)
def send_welcome_email_task(user_id: int) -> None:
    from accounts.services import welcome_email_send

    welcome_email_send(user_id=user_id)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_MAIL_ERRORS, retry_backoff=30, max_retries=5)
def send_email_task(subject: str, body: str, to: list[str]) -> None:
    from accounts.services import email_send

    email_send(subject=subject, body=body, to=to)


@shared_task(acks_late=True)
def send_pending_welcome_emails_task() -> None:
    from accounts.services import welcome_emails_send_pending

    welcome_emails_send_pending()
