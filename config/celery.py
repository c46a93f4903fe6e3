"""The Celery app. Settings come from Django's (the CELERY_* names); tasks are
found in each installed app's `tasks` module."""

import os
from datetime import timedelta
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BASE_DIR = Path(__file__).resolve().parent.parent

app = Celery("grantownik")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Packages inside an app hold tasks of their own.
app.autodiscover_tasks(["worker.exports"])

# Periodic jobs are declared here, in code, so every deployment runs the same
# ones. Beat must run as exactly one process per installation; the jobs are
# safe to run twice anyway (claims and row locks), a second beat would only
# waste work. Each expires after its own interval: a run nobody picked up in
# time is replaced by the next one instead of piling up behind a stopped worker.
app.conf.beat_schedule = {
    "ping": {
        "task": "worker.tasks.ping",
        "schedule": timedelta(minutes=10),
        "options": {"expires": 10 * 60},
    },
    # Closing submissions, rejecting uncorrected applications, lapsed budget
    # updates, starting grants: within a minute of each deadline.
    "deadlines": {
        "task": "worker.tasks.run_deadlines",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 60},
    },
    # Reminders count in days; every ten minutes is punctual enough.
    "reminders": {
        "task": "worker.tasks.send_reminders",
        "schedule": timedelta(minutes=10),
        "options": {"expires": 10 * 60},
    },
    # Finished exports are kept for a while, then their files are removed.
    "purge-exports": {
        "task": "worker.exports.tasks.purge_expired_exports",
        "schedule": timedelta(hours=1),
        "options": {"expires": 60 * 60},
    },
    # E-mails no task delivered: queued while the broker was down, waiting
    # for a retry, or left behind by a worker that died while sending.
    "outbox": {
        "task": "worker.tasks.deliver_outbox",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 60},
    },
}
# Beat remembers when each job last ran in a small local file; keep it with
# the other runtime state instead of wherever the process was started.
app.conf.beat_schedule_filename = os.environ.get(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / "var" / "celerybeat-schedule")
)
