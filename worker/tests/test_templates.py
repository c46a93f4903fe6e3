"""Every e-mail of the worker renders in both languages, in three parts, with
plain text left unescaped and HTML escaped."""

from pathlib import Path

import pytest
from django.utils import timezone

from applications.models import Application
from reviews.models import Review
from worker.outbox import render_notice

FOLDER = Path(__file__).parent.parent / "templates" / "email"
TEMPLATES = sorted(path.name.removesuffix(".subject.txt") for path in FOLDER.glob("*.subject.txt"))
TITLE = "Ogród „Róże” & <grządki>"


def test_every_notice_has_three_parts():
    assert len(TEMPLATES) == 8
    for name in TEMPLATES:
        for suffix in (".subject.txt", ".txt", ".html"):
            assert (FOLDER / f"{name}{suffix}").exists()
        assert "{% autoescape off %}" in (FOLDER / f"{name}.txt").read_text()
        assert "{% autoescape off %}" in (FOLDER / f"{name}.subject.txt").read_text()


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("final", [True, False])
@pytest.mark.parametrize("template", TEMPLATES)
def test_notice_renders(running, partial_report, template, language, final):
    Application.objects.filter(pk=running.application_id).update(title=TITLE)
    running.application.refresh_from_db()
    context = {
        "application": running.application,
        "grant": running,
        "report": partial_report,
        "final": final,
        "deadline": timezone.now(),
        "due_date": partial_report.due_date,
        "link": "https://granty.example.org/applications/1/",
        "optional": True,
        "preferences_url": "https://granty.example.org/notices/",
        "count": 2,
        "sections": [
            {
                "competition": running.competition,
                "deadline": timezone.now(),
                "reviews": [Review(application=running.application)],
                "link": "https://granty.example.org/competitions/1/",
            }
        ],
    }
    subject, text, html = render_notice(template, context, language)

    assert subject and "\n" not in subject
    for part in (subject, text, html):
        assert "{%" not in part and "{{" not in part
    assert "&quot;" not in text and "&amp;" not in text and "&lt;" not in text
    if template != "reminder_refund_due":
        assert TITLE in text
        assert "&lt;grządki&gt;" in html and "<grządki>" not in html
    assert "https://granty.example.org/" in text and 'href="https://granty.example.org/' in html
    assert f'lang="{language}"' in html
