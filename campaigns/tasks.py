from celery import shared_task

from profiles.background import TRANSIENT_MAIL_ERRORS


@shared_task(acks_late=True, autoretry_for=TRANSIENT_MAIL_ERRORS, retry_backoff=30, max_retries=5)
def send_campaign_batch_task(recipient_ids: list[int]) -> None:
    from campaigns.services import campaign_send_batch

    campaign_send_batch(recipient_ids=recipient_ids)


@shared_task(acks_late=True)
def attribute_conversions_task() -> None:
    from campaigns.services import conversions_attribute_all

    conversions_attribute_all()


@shared_task(acks_late=True)
def record_ignored_task() -> None:
    from campaigns.services import ignored_record_all

    ignored_record_all()


@shared_task(acks_late=True)
def send_due_campaigns_task() -> None:
    from campaigns.services import campaigns_send_due

    campaigns_send_due()
