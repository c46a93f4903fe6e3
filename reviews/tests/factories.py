"""Factories for the commission and reviews, and builders that put
applications straight into a state (tests of later steps need not replay the
earlier ones; those are tested on their own)."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from applications.models import Application
from competitions.models import Competition
from core.models import AuditEntry
from reviews.models import (
    CommissionMember,
    Conflict,
    Declaration,
    Review,
    ReviewSettings,
    Score,
)
from tests import factories as f


class CommissionMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissionMember

    competition = factory.SubFactory(f.CompetitionFactory)
    user = factory.SubFactory(f.UserFactory)
    affiliation = CommissionMember.Affiliation.NGO_REPRESENTATIVE


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Declaration

    member = factory.SubFactory(CommissionMemberFactory)
    statement = "Oświadczam, że nie pozostaję w relacjach z wnioskodawcami."


class ConflictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conflict

    member = factory.SubFactory(CommissionMemberFactory)
    application = factory.SubFactory(f.ApplicationFactory)
    ground = Conflict.Ground.RELATIVE
    source = Conflict.Source.DECLARATION


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    application = factory.SubFactory(f.ApplicationFactory)
    member = factory.SubFactory(CommissionMemberFactory)


class ScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Score

    review = factory.SubFactory(ReviewFactory)
    criterion = factory.SubFactory(f.CriterionFactory)
    points = Decimal("10")


def history(obj):
    """The audit entries of one object, oldest first."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    )


def set_status(obj, status: str, **fields):
    """Put a row into a state without its transition (the field is protected)."""
    type(obj).objects.filter(pk=obj.pk).update(status=status, **fields)
    obj.refresh_from_db()
    return obj


def signed_member(competition: Competition, **fields) -> CommissionMember:
    member = CommissionMemberFactory(competition=competition, **fields)
    DeclarationFactory(member=member)
    return member


def in_review_application(
    competition: Competition,
    *,
    status: str = Application.Status.IN_REVIEW,
    submitted_minutes_ago: int = 60,
    group=None,
    **fields,
) -> Application:
    """A complete application, numbered and submitted, in `status`."""
    application = f.ready_application(competition=competition, group=group, **fields)
    competition.last_number += 1
    Competition.objects.filter(pk=competition.pk).update(last_number=competition.last_number)
    submitted_at = timezone.now() - timedelta(minutes=submitted_minutes_ago)
    return set_status(
        application,
        status,
        sequence=competition.last_number,
        number=competition.format_number(competition.last_number),
        submitted_at=submitted_at,
        last_submitted_at=submitted_at,
    )


def scored(application: Application, member: CommissionMember, *points, submitted=True, **kw):
    """A review of `application` by `member` with `points` per criterion in
    the competition's order."""
    review = ReviewFactory(
        application=application,
        member=member,
        status=Review.Status.SUBMITTED if submitted else Review.Status.IN_PROGRESS,
        submitted_at=timezone.now() if submitted else None,
        **kw,
    )
    criteria = list(application.competition.criteria.all())
    assert len(points) == len(criteria)
    for criterion, value in zip(criteria, points, strict=True):
        ScoreFactory(review=review, criterion=criterion, points=Decimal(str(value)))
    return review


def close_scoring(competition: Competition) -> ReviewSettings:
    settings, _ = ReviewSettings.objects.get_or_create(competition=competition)
    settings.scoring_closed_at = timezone.now()
    settings.save()
    return settings
