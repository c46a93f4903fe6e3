from decimal import Decimal

import pytest

from applications.models import Application
from core.errors import NotPermitted, RuleViolation, WrongState
from reviews.models import Review, Score
from reviews.services import (
    review_reopen,
    review_save_draft,
    review_submit,
    scoring_close,
    scoring_reopen,
)
from tests import factories as f

from . import factories as rf


@pytest.fixture
def criteria(reviewing):
    return list(reviewing.criteria.all())  # Trafność 0-20, Budżet 0-35


@pytest.fixture
def review(in_review, ngo_member):
    return rf.ReviewFactory(application=in_review[0], member=ngo_member)


def scores(criteria, *points, comment=""):
    return [
        {"criterion": c.pk, "points": p, "comment": comment}
        for c, p in zip(criteria, points, strict=True)
    ]


class TestDraftAndSubmit:
    def test_a_draft_starts_the_review_and_keeps_partial_scores(self, review, criteria, ngo_member):
        saved = review_save_draft(
            review=review,
            actor=ngo_member.user,
            scores=[{"criterion": criteria[0].pk, "points": "17.5", "comment": "Trafny"}],
            comment="Wstępnie",
        )
        assert saved.status == Review.Status.IN_PROGRESS
        assert [(s.criterion_id, s.points, s.comment) for s in saved.scores.all()] == [
            (criteria[0].pk, Decimal("17.50"), "Trafny")
        ]
        assert saved.comment == "Wstępnie"
        assert [e.transition for e in rf.history(saved)] == ["start", "save_draft"]

        review_save_draft(
            review=saved,
            actor=ngo_member.user,
            scores=[{"criterion": criteria[0].pk, "points": None}],
        )
        assert not saved.scores.exists()

    @pytest.mark.parametrize("points", ["20.01", "-1", "10.005", "abc", True, "NaN"])
    def test_points_within_the_criterion_range_and_two_places(
        self, review, criteria, ngo_member, points
    ):
        with pytest.raises(RuleViolation) as caught:
            review_save_draft(
                review=review,
                actor=ngo_member.user,
                scores=[{"criterion": criteria[0].pk, "points": points}],
            )
        assert f"scores.{criteria[0].pk}" in caught.value.errors
        assert not Score.objects.exists()

    def test_a_criterion_of_another_competition_is_refused(self, review, ngo_member):
        with pytest.raises(RuleViolation):
            review_save_draft(
                review=review,
                actor=ngo_member.user,
                scores=[{"criterion": f.CriterionFactory().pk, "points": 1}],
            )

    def test_submit_needs_every_criterion_and_locks(self, review, criteria, ngo_member):
        with pytest.raises(RuleViolation) as caught:
            review_submit(
                review=review,
                actor=ngo_member.user,
                scores=[{"criterion": criteria[0].pk, "points": 10}],
            )
        assert "Budżet" in caught.value.messages[0]
        review.refresh_from_db()
        assert review.status == Review.Status.ASSIGNED  # all or nothing

        submitted = review_submit(
            review=review, actor=ngo_member.user, scores=scores(criteria, "18", "30.5")
        )

        assert submitted.status == Review.Status.SUBMITTED
        assert submitted.submitted_at is not None
        entry = rf.history(submitted).get(transition="submit")
        assert Decimal(entry.payload["total"]) == Decimal("48.50")
        for change in (
            lambda: review_save_draft(
                review=submitted, actor=ngo_member.user, scores=scores(criteria, 1, 1)
            ),
            lambda: review_submit(review=submitted, actor=ngo_member.user),
        ):
            with pytest.raises(WrongState):
                change()
        assert sorted(submitted.scores.values_list("points", flat=True)) == [
            Decimal("18.00"),
            Decimal("30.50"),
        ]

    def test_only_the_assigned_signed_member_scores(
        self, review, criteria, second_member, official, owner
    ):
        for actor in (second_member.user, official, owner):
            with pytest.raises(NotPermitted):
                review_save_draft(review=review, actor=actor, scores=scores(criteria, 1, 1))

    def test_unsigned_member_cannot_score(self, in_review, unsigned_member, criteria):
        review = rf.ReviewFactory(application=in_review[0], member=unsigned_member)
        with pytest.raises(NotPermitted):
            review_save_draft(
                review=review, actor=unsigned_member.user, scores=scores(criteria, 1, 1)
            )

    def test_membership_of_the_applying_group_blocks_scoring(
        self, review, criteria, ngo_member, group
    ):
        f.MembershipFactory(group=group, user=ngo_member.user, role="editor")
        with pytest.raises(NotPermitted):
            review_save_draft(review=review, actor=ngo_member.user, scores=scores(criteria, 1, 1))

    def test_withdrawn_application_is_not_scored(self, review, criteria, ngo_member):
        rf.set_status(review.application, Application.Status.WITHDRAWN)
        with pytest.raises(WrongState):
            review_save_draft(review=review, actor=ngo_member.user, scores=scores(criteria, 1, 1))


class TestReopen:
    @pytest.fixture
    def submitted(self, review, criteria, ngo_member):
        return review_submit(review=review, actor=ngo_member.user, scores=scores(criteria, 10, 10))

    def test_chair_or_official_reopens_with_a_reason(
        self, submitted, chair, ngo_member, second_member, other_official, criteria
    ):
        for actor in (ngo_member.user, second_member.user, other_official):
            with pytest.raises(NotPermitted):
                review_reopen(review=submitted, actor=actor, comment="Pomyłka")
        with pytest.raises(RuleViolation):
            review_reopen(review=submitted, actor=chair.user, comment="")

        reopened = review_reopen(
            review=submitted, actor=chair.user, comment="Pomyłka w kryterium 2"
        )

        assert (reopened.status, reopened.submitted_at) == (Review.Status.IN_PROGRESS, None)
        entry = rf.history(reopened).last()
        assert (entry.transition, entry.actor, entry.comment) == (
            "reopen",
            chair.user,
            "Pomyłka w kryterium 2",
        )
        review_submit(review=reopened, actor=ngo_member.user, scores=scores(criteria, 10, 12))

    def test_an_official_outside_the_commission_may_reopen(self, submitted, official, chair):
        # `official` is the chair here; a colleague from the same office:
        colleague = f.StaffMembershipFactory(
            operator=official.staff_memberships.get().operator
        ).user
        assert review_reopen(review=submitted, actor=colleague, comment="Korekta").status == (
            Review.Status.IN_PROGRESS
        )


class TestClosing:
    def test_close_needs_every_review_in(
        self, reviewing, in_review, ngo_member, second_member, official, criteria
    ):
        first = rf.ReviewFactory(application=in_review[0], member=ngo_member)
        rf.scored(in_review[1], second_member, 10, 10)
        with pytest.raises(RuleViolation) as caught:
            scoring_close(competition=reviewing, actor=official)
        assert in_review[0].number in caught.value.messages[0]

        review_submit(review=first, actor=ngo_member.user, scores=scores(criteria, 5, 5))
        settings = scoring_close(competition=reviewing, actor=official)
        assert settings.scoring_closed
        assert rf.history(reviewing).last().transition == "scoring_close"

        # Closed: no more drafts or reopening until scoring reopens.
        with pytest.raises(WrongState):
            review_reopen(review=first, actor=official, comment="x")
        with pytest.raises(WrongState):
            scoring_close(competition=reviewing, actor=official)
        with pytest.raises(RuleViolation):
            scoring_reopen(competition=reviewing, actor=official, comment="")
        scoring_reopen(competition=reviewing, actor=official, comment="Błąd w ocenie")
        review_reopen(review=first, actor=official, comment="Błąd w ocenie")

    def test_close_needs_a_review_for_every_application(
        self, reviewing, in_review, ngo_member, official
    ):
        rf.scored(in_review[0], ngo_member, 10, 10)
        with pytest.raises(RuleViolation) as caught:
            scoring_close(competition=reviewing, actor=official)
        assert in_review[1].number in caught.value.messages[0]

    def test_only_officials_close(self, reviewing, chair, ngo_member):
        with pytest.raises(NotPermitted):
            scoring_close(competition=reviewing, actor=ngo_member.user)
