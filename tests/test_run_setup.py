"""How Grantownik runs: the Celery app's configuration, a real worker and beat
started exactly as the Procfile starts them, and the files the README's
commands rely on."""

import os
import queue
import re
import shlex
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app
from core.management.commands import load_demo
from worker.tasks import ping

ROOT = Path(settings.BASE_DIR)


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_the_celery_app_takes_its_settings_from_django():
    app.loader.import_default_modules()

    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_serializer == "json"
    assert "worker.tasks.ping" in app.tasks


def test_the_beat_schedule_is_declared_in_code_and_names_real_tasks():
    app.loader.import_default_modules()

    assert app.conf.beat_schedule
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, name
    default = str(ROOT / "var" / "celerybeat-schedule")
    expected = os.environ.get("CELERY_BEAT_SCHEDULE_FILENAME", default)
    assert app.conf.beat_schedule_filename == expected


def test_ping_answers():
    assert ping.apply().get().startswith("pong ")


class Process:
    """A Procfile process, its output collected line by line."""

    def __init__(self, command: str, env: dict[str, str]):
        bin_dir = str(Path(sys.executable).parent)
        self.popen = subprocess.Popen(
            shlex.split(command),
            cwd=ROOT,
            env={**os.environ, **env, "PATH": bin_dir + os.pathsep + os.environ["PATH"]},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.popen.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.popen.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        output = "".join(self.seen[-40:])
        raise AssertionError(f"no line matching {pattern!r} within {timeout}s:\n{output}")

    def stop(self):
        self.popen.terminate()
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


@pytest.fixture
def broker(tmp_path):
    """The configured broker, kept apart from anything else using it: the
    filesystem broker gets its own folders, a server broker its own queue."""
    env = {"CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "celerybeat-schedule")}
    options = {}
    if settings.CELERY_BROKER_URL == "filesystem://":
        folder = tmp_path / "broker"
        for name in ("out", "processed", "control"):
            (folder / name).mkdir(parents=True)
        env["CELERY_FS_BROKER_DIR"] = str(folder)
        options = {
            **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            "data_folder_in": str(folder / "out"),
            "data_folder_out": str(folder / "out"),
            "processed_folder": str(folder / "processed"),
        }
        if "control_folder" in options:
            options["control_folder"] = str(folder / "control")
    return {"env": env, "transport_options": options, "queue": f"test-{uuid.uuid4().hex[:12]}"}


def test_a_worker_started_as_in_the_procfile_runs_a_task(broker):
    command = procfile()["worker"] + f" --queues={broker['queue']} --without-heartbeat"
    worker = Process(command, broker["env"])
    try:
        worker.wait_for(r"\bready\.")
        with app.connection_for_write(transport_options=broker["transport_options"]) as conn:
            result = ping.apply_async(connection=conn, queue=broker["queue"])
        worker.wait_for(rf"Task worker\.tasks\.ping\[{result.id}\] succeeded")
    finally:
        worker.stop()


def test_beat_starts_as_in_the_procfile(broker):
    beat = Process(procfile()["beat"], broker["env"])
    try:
        beat.wait_for(r"beat: Starting")
    finally:
        beat.stop()


def test_the_procfile_starts_web_worker_and_beat():
    processes = procfile()

    assert set(processes) == {"web", "worker", "beat"}
    assert "runserver 127.0.0.1:8000" in processes["web"]
    # SQLite has one writer: the embedded worker runs one task at a time.
    assert "--pool=solo" in processes["worker"]


def test_the_ci_script_is_strict_and_executable():
    script = ROOT / ".ci" / "run"
    text = script.read_text()

    assert os.access(script, os.X_OK)
    assert "set -euo pipefail" in text
    assert "make test" in text and "--create-db" in text
    subprocess.run(["bash", "-n", str(script)], check=True)


def test_make_test_runs_pytest_with_the_given_arguments():
    dry_run = subprocess.run(
        ["make", "-n", "test", "ARGS=-k something"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "pytest -k something" in dry_run.stdout


def test_the_readme_gives_the_commands_and_every_demo_account():
    readme = (ROOT / "README.md").read_text()

    assert "make run" in readme and "make test" in readme
    assert load_demo.DEMO_PASSWORD in readme
    for person in load_demo.PEOPLE:
        assert person.email in readme
