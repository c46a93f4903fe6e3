from collections import Counter

import pytest
from django.http import Http404

from core.errors import NotPermitted, RuleViolation, WrongState
from reviews.models import Conflict, Review
from reviews.selectors import application_for_member, assignment_preview
from reviews.services import assignments_apply, assignments_auto, declare_conflict
from tests import factories as f

from . import factories as rf


@pytest.fixture
def four(reviewing, in_review):
    """Four applications in review (the two of `in_review` and two more)."""
    return in_review + [rf.in_review_application(reviewing) for _ in range(2)]


class TestAutomatic:
    def test_preview_then_apply(
        self,
        reviewing,
        four,
        commission,
        unsigned_member,
        official,
        django_capture_on_commit_callbacks,
        mailoutbox,
    ):
        chair, ngo_member, second_member, expert = commission
        preview = assignment_preview(official, reviewing)

        assert preview.problems == ()
        assert set(preview.plan) == {a.pk for a in four}
        assert all(len(members) == 2 for members in preview.plan.values())
        assert set(preview.loads_after) == {chair.pk, ngo_member.pk, second_member.pk}
        assert max(preview.loads_after.values()) - min(preview.loads_after.values()) <= 1
        assert preview.unsigned == ("Niepodpisany Nowak",)

        with django_capture_on_commit_callbacks(execute=True):
            reviews = assignments_auto(competition=reviewing, actor=official)

        assert len(reviews) == 8
        assert {(r.application_id, r.member_id) for r in reviews} == {
            (a, m) for a, members in preview.plan.items() for m in members
        }
        assert expert.pk not in {r.member_id for r in reviews}
        assert {r.status for r in reviews} == {Review.Status.ASSIGNED}
        assert rf.history(reviews[0]).get().transition == "assign"
        assert len(mailoutbox) == 3
        # Nothing left to plan.
        assert assignment_preview(official, reviewing).plan == {}
        assert assignments_auto(competition=reviewing, actor=official) == []

    def test_conflicts_and_group_membership_are_respected(
        self, reviewing, four, commission, editor, official
    ):
        _chair, ngo_member, _second_member, _expert = commission
        rf.ConflictFactory(member=ngo_member, application=four[1])
        # The group editor sits on the commission: conflicted with the group's
        # application although they declared nothing.
        editor_seat = rf.signed_member(reviewing, user=editor)

        reviews = assignments_auto(competition=reviewing, actor=official)

        pairs = {(r.member_id, r.application_id) for r in reviews}
        assert (ngo_member.pk, four[1].pk) not in pairs
        assert (editor_seat.pk, four[0].pk) not in pairs
        per_application = Counter(r.application_id for r in reviews)
        assert set(per_application.values()) == {2}

    def test_impossible_plan_is_explained(self, reviewing, in_review, chair, ngo_member, official):
        rf.ConflictFactory(member=ngo_member, application=in_review[0])
        preview = assignment_preview(official, reviewing)
        assert preview.plan == {}
        assert in_review[0].number in " ".join(preview.problems)
        with pytest.raises(RuleViolation):
            assignments_auto(competition=reviewing, actor=official)
        assert not Review.objects.exists()

    def test_only_officials(self, reviewing, four, commission, other_official):
        _chair, ngo_member, *_ = commission
        with pytest.raises(Http404):
            assignment_preview(ngo_member.user, reviewing)
        with pytest.raises(NotPermitted):
            assignments_auto(competition=reviewing, actor=ngo_member.user)
        with pytest.raises(NotPermitted):
            assignments_apply(
                competition=reviewing, actor=other_official, plan={four[0].pk: [ngo_member.pk]}
            )


class TestManual:
    def test_manual_assignment(self, reviewing, in_review, commission, official):
        _chair, ngo_member, second_member, _expert = commission
        reviews = assignments_apply(
            competition=reviewing,
            actor=official,
            plan={str(in_review[0].pk): [ngo_member.pk, second_member.pk]},
        )
        assert {r.member_id for r in reviews} == {ngo_member.pk, second_member.pk}
        assert all(r.assigned_by == official for r in reviews)

    def test_every_hard_rule_is_checked(
        self, reviewing, in_review, commission, unsigned_member, official
    ):
        chair, ngo_member, second_member, expert = commission
        first = in_review[0]
        rf.ConflictFactory(member=ngo_member, application=first)
        assignments_apply(competition=reviewing, actor=official, plan={first.pk: [chair.pk]})
        cases = [
            {first.pk: [ngo_member.pk]},  # conflicted
            {first.pk: [expert.pk]},  # advisory
            {first.pk: [unsigned_member.pk]},  # not signed
            {first.pk: [chair.pk]},  # already there
            {in_review[1].pk: [second_member.pk, second_member.pk]},  # twice
            {in_review[1].pk: [chair.pk, second_member.pk, ngo_member.pk]},  # over k
            {f.ApplicationFactory().pk: [chair.pk]},  # not in review here
            {"x": [1]},
        ]
        for plan in cases:
            with pytest.raises(RuleViolation):
                assignments_apply(competition=reviewing, actor=official, plan=plan)
        assert Review.objects.count() == 1

    def test_not_after_scoring_closed(self, reviewing, in_review, commission, official):
        rf.close_scoring(reviewing)
        with pytest.raises(WrongState):
            assignments_apply(
                competition=reviewing, actor=official, plan={in_review[0].pk: [commission[1].pk]}
            )


class TestLateConflict:
    def test_recusal_reassigns_to_the_least_loaded_eligible_member(
        self, reviewing, four, commission, official, django_capture_on_commit_callbacks, mailoutbox
    ):
        chair, ngo_member, second_member, _expert = commission
        third = rf.signed_member(reviewing, user__full_name="Trzeci Członek")
        # ngo_member and second_member hold application 0; chair holds two others.
        review = rf.ReviewFactory(application=four[0], member=ngo_member)
        rf.ReviewFactory(application=four[0], member=second_member)
        rf.ReviewFactory(application=four[1], member=chair)
        rf.ReviewFactory(application=four[2], member=chair)
        assert application_for_member(ngo_member.user, four[0].pk)

        with django_capture_on_commit_callbacks(execute=True):
            recusal = declare_conflict(
                assignment=review,
                actor=ngo_member.user,
                reason="Prezes fundacji to mój brat.",
                ground=Conflict.Ground.RELATIVE,
            )

        assert recusal.review.status == Review.Status.RECUSED
        conflict = Conflict.objects.get(member=ngo_member, application=four[0])
        assert (conflict.source, conflict.ground) == ("later", "relative")
        # The chair holds two; the third member none: they get it.
        assert recusal.replacement.member == third
        assert recusal.replacement.assigned_by is None
        assert rf.history(recusal.replacement).get().actor is None
        assert [m.to for m in mailoutbox] == [[third.user.email]]
        entry = rf.history(review).last()
        assert (entry.transition, entry.to_state, entry.comment) == (
            "recuse",
            "recused",
            "Prezes fundacji to mój brat.",
        )
        with pytest.raises(Http404):
            application_for_member(ngo_member.user, four[0].pk)

    def test_no_replacement_when_nobody_is_eligible(self, reviewing, in_review, chair, ngo_member):
        review = rf.ReviewFactory(application=in_review[0], member=ngo_member)
        rf.ReviewFactory(application=in_review[0], member=chair)
        recusal = declare_conflict(
            assignment=review, actor=chair.user, reason="Zgłoszone przez urząd"
        )
        assert recusal.replacement is None
        assert Review.objects.filter(status__in=Review.ACTIVE).count() == 1

    def test_who_may_and_when(self, reviewing, in_review, ngo_member, second_member):
        review = rf.ReviewFactory(application=in_review[0], member=ngo_member)
        with pytest.raises(NotPermitted):
            declare_conflict(assignment=review, actor=second_member.user, reason="?")
        with pytest.raises(RuleViolation):
            declare_conflict(assignment=review, actor=ngo_member.user, reason=" ")
        done = rf.ReviewFactory(
            application=in_review[1], member=ngo_member, status=Review.Status.SUBMITTED
        )
        with pytest.raises(WrongState):
            declare_conflict(assignment=done, actor=ngo_member.user, reason="Późno")
