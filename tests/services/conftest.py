"""A private Redis, a real Celery worker, and the test process pointed at both.

The shared Redis on 6379 belongs to everyone: these fixtures never publish to it,
and the outage tests kill or freeze only the Redis they started themselves.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connections

from patientcrm.celery import app as celery_app

VENV_BIN = Path(sys.executable).parent
REDIS_START_TIMEOUT = 10
WORKER_START_TIMEOUT = 30
WORKER_STOP_TIMEOUT = 10


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen, timeout: float) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)


class PrivateRedis:
    """A throwaway redis-server on a free port: nothing saved, nothing shared."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.paused = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        # The free port can be taken between probing and binding: try a few.
        for _attempt in range(3):
            self.port = _free_port()
            if self._spawn():
                return
        pytest.fail(f"could not start a private redis-server; see {self.workdir}")

    def restart(self) -> None:
        """Come back on the same port after kill(), empty, as a restarted server would."""
        assert self.process is not None and self.process.poll() is not None, "still running"
        if not self._spawn():
            pytest.fail(f"could not restart redis-server on port {self.port}; see {self.workdir}")

    def _spawn(self) -> bool:
        log = open(self.workdir / f"redis-{self.port}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--dir", str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        if self._wait_until_answering():
            return True
        _stop(self.process, 5)
        return False

    def _wait_until_answering(self) -> bool:
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        deadline = time.monotonic() + REDIS_START_TIMEOUT
        try:
            while time.monotonic() < deadline:
                if self.process is None or self.process.poll() is not None:
                    return False
                try:
                    if client.ping():
                        return True
                except redis.RedisError:
                    time.sleep(0.05)
            return False
        finally:
            client.close()

    def messages_in_flight(self) -> int:
        """Messages queued or delivered but not yet acknowledged, on the default queue."""
        client = redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)
        try:
            return client.llen("celery") + client.hlen("unacked")
        finally:
            client.close()

    def wait_until_settled(self, timeout: float = 15) -> None:
        """Until every message is consumed and acknowledged: no worker is mid-ack."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.messages_in_flight():
                return
            time.sleep(0.05)
        pytest.fail(f"messages still in flight on port {self.port} after {timeout} s")

    def kill(self) -> None:
        """Stop dead, as a crash or an OOM kill would: no goodbye to clients."""
        assert self.process is not None
        self.resume()
        self.process.kill()
        self.process.wait(5)

    def pause(self) -> None:
        """Freeze it: connections are still accepted by the kernel but never answered."""
        os.kill(self.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        if self.paused and self.process is not None and self.process.poll() is None:
            os.kill(self.pid, signal.SIGCONT)
        self.paused = False

    def close(self) -> None:
        if self.process is None:
            return
        self.resume()
        _stop(self.process, 5)


class CeleryWorker:
    """`celery worker` in its own process, reading the test database."""

    def __init__(
        self,
        *,
        broker_url: str,
        database_url: str,
        mail_dir: Path,
        log_path: Path,
        app: str = "patientcrm",
        extra_env: dict[str, str] | None = None,
    ):
        self.broker_url = broker_url
        self.database_url = database_url
        self.mail_dir = mail_dir
        self.log_path = log_path
        self.app = app
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            # Hold no idle connection to the test database: pytest-django flushes
            # it after each test and drops it at the end.
            "CONN_MAX_AGE": "0",
            "REDIS_URL": self.broker_url,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        env.pop("CELERY_BROKER_URL", None)
        command = [
            str(VENV_BIN / "celery"),
            "-A", self.app,
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--hostname", f"services-{uuid.uuid4().hex[:8]}@%h",
            # Alone on a private broker: nothing to gossip or mingle with.
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]  # fmt: skip
        log = open(self.log_path, "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"celery worker exited with {self.process.returncode}:\n{self.log()}")
            if " ready." in self.log():
                return
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"celery worker not ready after {WORKER_START_TIMEOUT} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process, WORKER_STOP_TIMEOUT)

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a lost machine would: no warm shutdown, no acks."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return
            if self.process is not None and self.process.poll() is not None:
                break
            time.sleep(0.05)
        pytest.fail(f"{text!r} not in the worker log within {timeout} s:\n{self.log()}")

    def task_ids(self, task_name: str, event: str = "received") -> list[str]:
        """Ids of `task_name` in the log's "received" or "succeeded" lines, in order."""
        pattern = re.compile(rf"Task {re.escape(task_name)}\[([0-9a-f-]+)\] {event}")
        return pattern.findall(self.log())

    def successes(self, task_name: str) -> int:
        return sum(
            1
            for line in self.log().splitlines()
            if f"Task {task_name}[" in line and "] succeeded in " in line
        )

    def wait_for_successes(self, task_name: str, count: int, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.successes(task_name) >= count:
                return
            time.sleep(0.1)
        pytest.fail(
            f"{task_name} did not succeed {count} time(s) within {timeout} s:\n{self.log()}"
        )

    def mails(self) -> list[str]:
        return [path.read_text() for path in sorted(self.mail_dir.iterdir())]

    def wait_for_mail(self, containing: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for text in self.mails():
                if containing in text:
                    return text
            time.sleep(0.1)
        pytest.fail(f"no e-mail containing {containing!r} within {timeout} s:\n{self.log()}")


def _forget_broker_connections() -> None:
    for pool in (celery_app.amqp._producer_pool, celery_app._pool):
        if pool is not None:
            # A dead broker cannot say goodbye; the sockets are dropped either way.
            with contextlib.suppress(Exception):
                pool.force_close_all()
    celery_app.amqp._producer_pool = None
    celery_app._pool = None


def _test_database_url() -> str:
    # pytest-django has renamed NAME to the test database by now.
    db = connections["default"].settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.close()


@pytest.fixture
def celery_broker(private_redis):
    """Publish for real, to the private Redis, for the length of one test.

    Depends on the autouse fixture having run first (it forces eager mode);
    function-scoped fixtures requested by name always come after autouse ones.
    """
    conf = celery_app.conf
    previous = conf.broker_url, conf.task_always_eager
    _forget_broker_connections()
    conf.broker_url = private_redis.url
    conf.task_always_eager = False
    yield private_redis
    # A frozen Redis would make closing the pooled sockets wait for timeouts.
    private_redis.resume()
    _forget_broker_connections()
    conf.broker_url, conf.task_always_eager = previous


@pytest.fixture
def start_celery_worker(celery_broker, transactional_db, tmp_path):
    """Start workers when the test says, e.g. after the broker is back; each is stopped after.

    start_celery_worker(app="tests.services.slow_celery_app", env={...}) starts one
    with the test-only app module and extra environment variables.
    """
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    workers: list[CeleryWorker] = []

    def start(*, app: str = "patientcrm", env: dict[str, str] | None = None) -> CeleryWorker:
        worker = CeleryWorker(
            broker_url=celery_broker.url,
            database_url=_test_database_url(),
            mail_dir=mail_dir,
            log_path=tmp_path / f"worker-{len(workers) + 1}.log",
            app=app,
            extra_env=env,
        )
        workers.append(worker)
        worker.start()
        return worker

    yield start
    for worker in workers:
        worker.stop()
    for worker in workers:
        # Shown by pytest only when the test fails.
        print(f"--- celery worker log ({worker.log_path}) ---\n{worker.log()}")


@pytest.fixture
def celery_worker(start_celery_worker):
    return start_celery_worker()
