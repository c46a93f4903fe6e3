"""Real Celery workers against Redis and the test database: no eager mode.

Two workers (solo pool, as in the Procfile) consume a queue of this module's
own on a Redis database of their own, and write e-mails into a folder the
tests read. They share the test database, so these tests commit for real
(`transaction=True`) and need PostgreSQL: the SQLite test database lives in
this process's memory, out of the workers' reach.
"""

import email
import email.policy
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from applications.services import application_submit
from config.celery import app
from tests import factories as f
from worker.models import OutboxMessage, ReminderClaim

ROOT = Path(django_settings.BASE_DIR)
STARTUP_TIMEOUT = 60
TASK_TIMEOUT = 30
# A Redis database of this module's own; the queue name keeps concurrent runs
# on one machine apart as well.
BROKER_DB = 5

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def broker_url() -> str:
    configured = urlsplit(django_settings.CELERY_BROKER_URL)
    if configured.scheme in ("redis", "rediss"):
        return f"{configured.scheme}://{configured.netloc}/{BROKER_DB}"
    return f"redis://127.0.0.1:6379/{BROKER_DB}"


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def wait_until(check, timeout: float = TASK_TIMEOUT, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{message} not reached within {timeout}s")


class Worker:
    """One `celery worker` process, its output collected line by line."""

    def __init__(self, name: str, queue_name: str, env: dict[str, str]):
        command = [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            f"--queues={queue_name}",
            f"--hostname={name}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ]
        self.popen = subprocess.Popen(  # noqa: S603 (a fixed command, no user input)
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: list[str] = []
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    @property
    def pid(self) -> int:
        return self.popen.pid

    def _read(self):
        for line in self.popen.stdout:
            self.output.append(line)
            self.lines.put(line)

    def wait_ready(self):
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if " ready." in self.lines.get(timeout=0.2):
                    return
            except queue.Empty:
                if self.popen.poll() is not None:
                    break
        raise AssertionError("the worker did not start:\n" + "".join(self.output[-40:]))

    def finished(self, task_id: str) -> bool:
        return any(f"[{task_id}] succeeded" in line for line in list(self.output))

    def stop(self):
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
        self.popen.wait()


class Cluster:
    def __init__(self, folder: Path, database: dict):
        self.url = broker_url()
        self.queue = f"worker-tests-{uuid.uuid4().hex[:10]}"
        self.maildir = folder / "mail"
        self.maildir.mkdir()
        self.hold_flag = folder / "hold-mail"
        credentials = database["USER"] or ""
        if database.get("PASSWORD"):
            credentials += f":{database['PASSWORD']}"
        self.env = {
            "DATABASE_URL": (
                f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:"
                f"{database['PORT'] or 5432}/{database['NAME']}"
            ),
            "CELERY_BROKER_URL": self.url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": "worker.tests.mail.EmailBackend",
            "EMAIL_FILE_PATH": str(self.maildir),
            "GRANTOWNIK_HOLD_MAIL": str(self.hold_flag),
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        self.workers: list[Worker] = []
        self._count = 0

    def start(self, how_many: int = 1) -> list[Worker]:
        started = []
        for _ in range(how_many):
            self._count += 1
            started.append(Worker(f"w{self._count}.{self.queue}", self.queue, self.env))
        for worker in started:
            worker.wait_ready()
        self.workers.extend(started)
        return started

    def kill(self, pid: int) -> None:
        """SIGKILL, as when the machine runs out of memory: no cleanup at all."""
        (worker,) = [w for w in self.workers if w.pid == pid]
        os.kill(pid, signal.SIGKILL)
        worker.popen.wait(timeout=10)
        self.workers.remove(worker)

    def send(self, task_name: str, *args) -> str:
        task_id = str(uuid.uuid4())
        with app.connection_for_write(self.url) as conn:
            app.send_task(task_name, args=args, task_id=task_id, queue=self.queue, connection=conn)
        return task_id

    def wait_finished(self, *task_ids: str) -> dict[str, Worker]:
        done = {}

        def all_done():
            for task_id in task_ids:
                for worker in self.workers:
                    if worker.finished(task_id):
                        done[task_id] = worker
            return len(done) == len(task_ids)

        wait_until(all_done, message=f"tasks {task_ids} finished")
        return done

    def mails(self) -> list[email.message.EmailMessage]:
        separator = "\n" + "-" * 79 + "\n"
        messages = []
        for path in sorted(self.maildir.glob("*.log")):
            for chunk in path.read_text().split(separator):
                if chunk.strip():
                    messages.append(email.message_from_string(chunk, policy=email.policy.default))
        return messages

    def clear_mails(self):
        for path in self.maildir.glob("*.log"):
            path.unlink()

    def stop(self):
        for worker in self.workers:
            if worker.popen.poll() is None:
                worker.popen.terminate()
        for worker in self.workers:
            worker.stop()
        self.workers = []
        self._forget_queue()

    def _forget_queue(self):
        import redis

        client = redis.Redis.from_url(self.url)
        for key in client.scan_iter(f"{self.queue}*"):
            client.delete(key)
        client.delete(f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}")
        # Messages of a killed worker wait to be restored to this queue.
        for tag, payload in client.hgetall("unacked").items():
            if self.queue.encode() in payload:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)


@pytest.fixture(scope="module")
def cluster(django_db_setup, tmp_path_factory):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: the worker processes must reach the test database, and the "
            "SQLite test database lives in this process's memory; run with "
            "DATABASE_URL=postgres://..."
        )
    if not redis_answers(broker_url()):
        pytest.skip(f"needs Redis at {broker_url()} for a real worker")
    cluster = Cluster(tmp_path_factory.mktemp("workers"), connection.settings_dict)
    try:
        cluster.start(2)
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def web(cluster, settings):
    """This process as the web side: hands e-mails to the cluster's broker and
    queue, never sends them itself."""
    settings.CELERY_BROKER_URL = cluster.url
    settings.CELERY_TASK_DEFAULT_QUEUE = cluster.queue
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(cluster.maildir)
    cluster.clear_mails()
    yield cluster
    cluster.hold_flag.unlink(missing_ok=True)


@pytest.fixture
def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def all_sent() -> bool:
    messages = list(OutboxMessage.objects.values_list("status", flat=True))
    return bool(messages) and all(s == OutboxMessage.Status.SENT for s in messages)


def test_a_submission_is_mailed_by_a_worker(web, application, owner, editor):
    submitted = application_submit(application=application, actor=owner)

    wait_until(all_sent, message="the confirmations sent")
    mails = web.mails()
    assert sorted(m["To"] for m in mails) == sorted([owner.email, editor.email])
    assert all(submitted.number in m["Subject"] for m in mails)
    pids = {
        int(p.rsplit(":", 1)[1]) for p in OutboxMessage.objects.values_list("claimed_by", flat=True)
    }
    assert pids <= {w.pid for w in web.workers}


def test_two_scans_at_once_send_each_reminder_exactly_once(web):
    competition = f.CompetitionFactory(submission_deadline=timezone.now() + timedelta(hours=12))
    expected = []
    for _ in range(8):
        group = f.GroupFactory()
        for role in ("owner", "editor"):
            expected.append(f.MembershipFactory(group=group, role=role).user.email)
        f.ApplicationFactory(competition=competition, group=group)

    first = web.send("worker.tasks.send_reminders")
    second = web.send("worker.tasks.send_reminders")
    ran_on = web.wait_finished(first, second)

    # Each worker took one scan: they ran at the same time.
    assert ran_on[first] is not ran_on[second]
    wait_until(all_sent, message="the reminders sent")
    assert sorted(m["To"] for m in web.mails()) == sorted(expected)
    assert ReminderClaim.objects.count() == len(expected)

    again = web.send("worker.tasks.send_reminders")
    web.wait_finished(again)
    assert len(web.mails()) == len(expected)
    assert OutboxMessage.objects.count() == len(expected)


def test_a_worker_killed_while_sending_is_restarted_and_the_mail_goes_out_once(
    web, application, owner
):
    web.hold_flag.touch()
    application_submit(application=application, actor=owner)

    held = wait_until(
        lambda: OutboxMessage.objects.filter(status=OutboxMessage.Status.SENDING).first(),
        message="a worker sending the confirmation",
    )
    web.kill(int(held.claimed_by.rsplit(":", 1)[1]))
    web.hold_flag.unlink()
    web.start(1)

    held.refresh_from_db()
    assert held.status == OutboxMessage.Status.SENDING
    assert web.mails() == []
    # Five minutes later the dead worker's lease has run out; the outbox scan,
    # which beat sends every minute, takes the message over.
    OutboxMessage.objects.filter(pk=held.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    web.wait_finished(web.send("worker.tasks.deliver_outbox"))

    held.refresh_from_db()
    assert (held.status, held.attempts) == (OutboxMessage.Status.SENT, 2)
    (mail,) = web.mails()
    assert mail["To"] == owner.email
    assert mail["Message-ID"].startswith(f"<outbox.{held.pk}.")


def test_with_the_broker_down_a_submission_succeeds_and_is_mailed_once_it_is_back(
    web, settings, application, owner, editor, closed_port
):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port}/0"

    submitted = application_submit(application=application, actor=owner)

    assert submitted.status == "submitted" and submitted.number
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count() == 2
    time.sleep(0.5)
    assert web.mails() == []

    # The broker is back: beat's next outbox scan reaches a worker.
    web.wait_finished(web.send("worker.tasks.deliver_outbox"))
    wait_until(all_sent, message="the confirmations sent")
    mails = web.mails()
    assert sorted(m["To"] for m in mails) == sorted([owner.email, editor.email])
    assert all(submitted.number in m["Subject"] for m in mails)
