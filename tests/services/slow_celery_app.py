"""The project's Celery app, for worker processes a test wants to catch in the middle of a task.

Started as `celery -A tests.services.slow_celery_app worker`; production code knows
nothing of it. Two environment variables, set only on the test's worker processes:

PCRM_TEST_VISIBILITY_TIMEOUT
    Seconds after which Redis hands an unacknowledged task to another worker
    (production waits two hours), and check for such tasks every second.
PCRM_TEST_SLOW_REFRESH
    Seconds `shop.patterns.patterns_refresh` sleeps before it starts, after logging
    SLOW_REFRESH_MARK, so the test knows the task is running and can kill the worker.
"""

import functools
import logging
import os
import time

from celery import signals

from patientcrm.celery import app

SLOW_REFRESH_MARK = "slow_celery_app: patterns_refresh started"

logger = logging.getLogger(__name__)

if os.environ.get("PCRM_TEST_VISIBILITY_TIMEOUT"):
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "visibility_timeout": float(os.environ["PCRM_TEST_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }


@signals.worker_ready.connect
def _slow_down_refresh(**_kwargs) -> None:
    # Django is set up by now; the tasks import patterns_refresh when they run.
    seconds = float(os.environ.get("PCRM_TEST_SLOW_REFRESH") or 0)
    if not seconds:
        return
    from shop import patterns

    original = patterns.patterns_refresh

    @functools.wraps(original)
    def slow_refresh(**kwargs):
        logger.warning("%s (%r); sleeping %s s first", SLOW_REFRESH_MARK, kwargs, seconds)
        time.sleep(seconds)
        return original(**kwargs)

    patterns.patterns_refresh = slow_refresh
