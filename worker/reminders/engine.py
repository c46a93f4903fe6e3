"""Claiming a reminder and queuing its e-mail, in one transaction."""

import logging
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from ..links import absolute
from ..models import ReminderClaim
from ..outbox import queue_notice
from .rules import Due, Rule

logger = logging.getLogger(__name__)


def claim_once(
    kind: str, content_type, due: Due, object_id: int, recipient
) -> ReminderClaim | None:
    """Insert the sent-marker, or None when this reminder was claimed before."""
    try:
        with transaction.atomic():
            return ReminderClaim.objects.create(
                kind=kind,
                content_type=content_type,
                object_id=object_id,
                deadline=due.deadline,
                offset_days=due.offset,
                recipient=recipient,
                competition_id=due.competition.pk,
            )
    except IntegrityError:
        return None


def attach(claims: list[ReminderClaim], messages) -> None:
    if messages:
        ReminderClaim.objects.filter(pk__in=[c.pk for c in claims]).update(
            outbox_message=messages[0]
        )


def claimed_keys(kind: str, content_type, object_ids) -> set[tuple]:
    return {
        (object_id, deadline, offset, recipient_id)
        for object_id, deadline, offset, recipient_id in ReminderClaim.objects.filter(
            kind=kind, content_type=content_type, object_id__in=list(object_ids)
        ).values_list("object_id", "deadline", "offset_days", "recipient_id")
    }


def _claim_and_queue(rule: Rule, due: Due, content_type, now: datetime) -> int:
    queued = 0
    with transaction.atomic():
        obj = rule.lock(due, now)
        if obj is None:
            return 0
        context = rule.context(obj, due)
        for recipient in rule.recipients(obj):
            claim = claim_once(rule.kind, content_type, due, obj.pk, recipient)
            if claim is None:
                continue
            messages = queue_notice(
                recipients=[recipient],
                template=rule.template,
                context={
                    **context,
                    "optional": rule.optional,
                    "preferences_url": absolute("notices"),
                },
                optional=rule.optional,
                link=context["link"],
                fail_loudly=True,
            )
            attach([claim], messages)
            queued += 1
    return queued


def run_rule(rule: Rule, now: datetime) -> int:
    """Queue every reminder of this rule that is due now; returns how many."""
    dues = list(rule.candidates(now))
    if not dues:
        return 0
    content_type = ContentType.objects.get_for_model(rule.model)
    # Most of what a scan sees was reminded of by an earlier scan: skip it
    # here, in one query, instead of locking each object to find out.
    claimed = claimed_keys(rule.kind, content_type, {due.obj.pk for due in dues})
    queued = 0
    for due in dues:
        recipients = rule.recipients(due.obj)
        if all((due.obj.pk, due.deadline, due.offset, r.pk) in claimed for r in recipients):
            continue
        try:
            queued += _claim_and_queue(rule, due, content_type, now)
        except Exception:
            # One broken object must not keep everyone else's reminders back.
            logger.exception("Reminder %s for %r failed", rule.kind, due.obj)
    return queued
