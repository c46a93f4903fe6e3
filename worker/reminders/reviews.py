"""Commission members: one digest per person, never one e-mail per application."""

import logging
from collections import defaultdict
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from competitions.models import Competition
from core.models import User
from reviews.models import CommissionMember, Review, ReviewSettings

from ..links import absolute
from ..models import ReminderClaim
from ..outbox import queue_notice
from .engine import attach, claim_once, claimed_keys
from .rules import Due, locked
from .timing import HORIZON, settings_of, stage

logger = logging.getLogger(__name__)


def _open_reviews(member: CommissionMember) -> list[Review]:
    reviews = list(
        member.reviews.filter(status__in=Review.OPEN)
        .select_related("application")
        .order_by("application__sequence", "application_id")
    )
    for review in reviews:
        review.link = absolute("review-score", review.pk)
    return reviews


def _scoring_open(competition_id: int) -> bool:
    return not ReviewSettings.objects.filter(
        competition_id=competition_id, scoring_closed_at__isnull=False
    ).exists()


def _remind_reviewer(user_id: int, dues: list[Due], content_type, now: datetime) -> int:
    sections, claims = [], []
    with transaction.atomic():
        for due in sorted(dues, key=lambda d: d.obj.pk):
            member = locked(
                CommissionMember.objects.select_related(
                    "user", "competition", "competition__reminder_settings"
                ),
                due.obj.pk,
            )
            if (
                member is None
                or member.competition.status != Competition.Status.IN_REVIEW
                or settings_of(member.competition).scoring_deadline != due.deadline
                or now >= due.deadline
                or not _scoring_open(member.competition_id)
            ):
                continue
            reviews = _open_reviews(member)
            if not reviews:
                continue
            claim = claim_once(
                ReminderClaim.Kind.REVIEWS_DUE, content_type, due, member.pk, member.user
            )
            if claim is None:
                continue
            claims.append(claim)
            sections.append(
                {
                    "competition": member.competition,
                    "deadline": due.deadline,
                    "reviews": reviews,
                    "link": absolute("commission-dashboard"),
                }
            )
        if not sections:
            return 0
        user = User.objects.get(pk=user_id)
        link = absolute("commission-dashboard")
        messages = queue_notice(
            recipients=[user],
            template="reminder_reviews_due",
            context={
                "sections": sections,
                "count": sum(len(s["reviews"]) for s in sections),
                "link": link,
                "optional": True,
                "preferences_url": absolute("notices"),
            },
            optional=True,
            link=link,
            fail_loudly=True,
        )
        attach(claims, messages)
    return 1


def remind_reviewers(now: datetime) -> int:
    """One e-mail per person listing every review they have not submitted,
    in every competition whose scoring deadline is near, never one per
    application. Returns how many e-mails were queued."""
    members = (
        CommissionMember.objects.filter(
            Q(competition__review_settings__isnull=True)
            | Q(competition__review_settings__scoring_closed_at__isnull=True),
            competition__status=Competition.Status.IN_REVIEW,
            competition__reminder_settings__scoring_deadline__gt=now,
            competition__reminder_settings__scoring_deadline__lte=now + HORIZON,
            user__is_active=True,
            reviews__status__in=Review.OPEN,
        )
        .distinct()
        .select_related("competition", "competition__reminder_settings")
    )
    by_user: dict[int, list[Due]] = defaultdict(list)
    for member in members:
        reminders = member.competition.reminder_settings
        offset = stage(reminders.scoring_deadline, reminders.review_days, now)
        if offset is not None:
            by_user[member.user_id].append(
                Due(member, member.competition, reminders.scoring_deadline, offset)
            )
    if not by_user:
        return 0
    content_type = ContentType.objects.get_for_model(CommissionMember)
    claimed = claimed_keys(
        ReminderClaim.Kind.REVIEWS_DUE,
        content_type,
        {due.obj.pk for dues in by_user.values() for due in dues},
    )
    queued = 0
    for user_id, dues in by_user.items():
        dues = [d for d in dues if (d.obj.pk, d.deadline, d.offset, user_id) not in claimed]
        if not dues:
            continue
        try:
            queued += _remind_reviewer(user_id, dues, content_type, now)
        except Exception:
            logger.exception("Review reminder for user %s failed", user_id)
    return queued
