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

# Periodic jobs are declared here, in code, so every deployment runs the same
# ones; deadline scans and reminders join this table as they are built. Beat
# must run as exactly one process per installation, or each job runs twice.
app.conf.beat_schedule = {
    "ping": {
        "task": "worker.tasks.ping",
        "schedule": timedelta(minutes=10),
        # A ping nobody picked up within its own interval says nothing new.
        "options": {"expires": 10 * 60},
    },
}
# Beat remembers when each job last ran in a small local file; keep it with
# the other runtime state instead of wherever the process was started.
app.conf.beat_schedule_filename = os.environ.get(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / "var" / "celerybeat-schedule")
)
