"""Every payouts e-mail renders in both languages, with plain text unescaped."""

from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from core.notify import send_notice
from payouts.services import report_request

from . import factories as pf

TEMPLATES = sorted(
    path.name.removesuffix(".subject.txt")
    for path in (Path(__file__).parent.parent / "templates" / "email").glob("*.subject.txt")
)


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_notice_renders(
    running, owner, official, template, language, django_capture_on_commit_callbacks
):
    payment = pf.pay(running.payments.get(order=1), official)
    report = report_request(grant=running, actor=official, due_date=timezone.localdate())
    mail.outbox.clear()
    # send_notice queues the mail; it goes out once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_notice(
            recipients=[(owner.email, language)],
            template=template,
            context={"grant": running, "report": report, "payment": payment},
        )
    assert sent == 1
    message = mail.outbox[0]
    assert message.subject.strip()
    assert "\n" not in message.subject
    assert "{%" not in message.body and "{{" not in message.body
    assert "&quot;" not in message.body and "&amp;" not in message.body


def test_every_notice_has_three_parts():
    folder = Path(__file__).parent.parent / "templates" / "email"
    assert len(TEMPLATES) == 11
    for name in TEMPLATES:
        for suffix in (".subject.txt", ".txt", ".html"):
            assert (folder / f"{name}{suffix}").exists()
