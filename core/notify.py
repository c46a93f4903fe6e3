"""E-mail notices, rendered in each recipient's own language.

Callers schedule `send_notice` with `transaction.on_commit`, so nothing is
mailed for a change that rolled back.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def send_notice(*, recipients, template: str, context: dict) -> int:
    """Send `core/templates/email/<template>.{subject.txt,txt,html}` to each
    recipient (users, or (email, language) pairs). Returns how many went out."""
    sent = 0
    for recipient in recipients:
        if isinstance(recipient, tuple):
            email, language = recipient
        else:
            email, language = recipient.email, recipient.language
        try:
            with translation.override(language or settings.LANGUAGE_CODE):
                ctx = {**context, "site_url": settings.SITE_URL, "recipient": recipient}
                subject = render_to_string(f"email/{template}.subject.txt", ctx).strip()
                text = render_to_string(f"email/{template}.txt", ctx)
                html = render_to_string(f"email/{template}.html", ctx)
            message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [email])
            message.attach_alternative(html, "text/html")
            sent += message.send()
        except Exception:
            # This runs after the commit: a delivery or rendering problem must
            # not turn the user's saved action into an error page. The tests
            # send every notice, so a broken template shows up there.
            logger.exception("Could not send %s to %s", template, email)
    return sent
