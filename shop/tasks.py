from celery import shared_task
from django.db import OperationalError

# A refresh recomputes from orders and upserts, so running it again is harmless.
RETRY = {
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": 10,
    "max_retries": 5,
}


@shared_task(**RETRY)
def refresh_patterns_task(profile_ids: list[int]) -> None:
    from shop.patterns import patterns_refresh

    patterns_refresh(profile_ids=profile_ids)


@shared_task(**RETRY)
def sweep_stale_patterns_task() -> None:
    from shop.patterns import patterns_refresh_stale

    patterns_refresh_stale()


@shared_task(**RETRY, time_limit=60 * 60, soft_time_limit=55 * 60)
def recompute_all_patterns_task() -> None:
    from shop.patterns import patterns_refresh

    patterns_refresh()
