"""Who sees what, at the selector level: members before and after signing,
conflicted members, each other's scores before and after scoring closes, and
applicants, who never learn who reviewed them."""

import dataclasses

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from competitions.models import Competition
from core.errors import WrongState
from reviews.models import Review
from reviews.selectors import (
    AnonymousReview,
    application_for_member,
    applications_for_member,
    commission_of,
    competition_ranking,
    declaration_candidates,
    review_for_member,
    review_progress,
    reviews_for_applicant,
    reviews_for_member,
    scoring_panel,
)
from tests import factories as f

from . import factories as rf


@pytest.fixture
def assigned(in_review, ngo_member, second_member):
    """ngo_member reviews the first application; second_member both."""
    mine = rf.ReviewFactory(application=in_review[0], member=ngo_member)
    rf.ReviewFactory(application=in_review[0], member=second_member)
    rf.ReviewFactory(application=in_review[1], member=second_member)
    return mine


class TestBeforeSigning:
    def test_an_unsigned_member_sees_no_application(self, reviewing, in_review, unsigned_member):
        review = rf.ReviewFactory(application=in_review[0], member=unsigned_member)
        user = unsigned_member.user
        assert list(applications_for_member(user)) == []
        assert list(applications_for_member(user, reviewing)) == []
        assert list(reviews_for_member(user)) == []
        with pytest.raises(Http404):
            application_for_member(user, in_review[0].pk)
        with pytest.raises(Http404):
            review_for_member(user, review.pk)
        with pytest.raises(Http404):
            competition_ranking(user, reviewing)

    def test_the_declaration_lists_only_numbers_and_applicants(
        self, reviewing, in_review, unsigned_member, outsider, group
    ):
        candidates = declaration_candidates(unsigned_member.user, reviewing)
        assert [(c.number, c.applicant) for c in candidates] == [
            (a.number, a.group.name) for a in in_review
        ]
        assert {field.name for field in dataclasses.fields(candidates[0])} == {
            "application_id",
            "number",
            "applicant",
            "member_of_applicant",
        }
        with pytest.raises(Http404):
            declaration_candidates(outsider, reviewing)


class TestAfterSigning:
    def test_a_member_sees_only_what_is_assigned(self, in_review, assigned, ngo_member):
        user = ngo_member.user
        assert list(applications_for_member(user)) == [in_review[0]]
        assert application_for_member(user, in_review[0].pk) == in_review[0]
        with pytest.raises(Http404):
            application_for_member(user, in_review[1].pk)

    def test_a_declared_conflict_hides_the_application(self, in_review, assigned, ngo_member):
        rf.ConflictFactory(member=ngo_member, application=in_review[0])
        with pytest.raises(Http404):
            application_for_member(ngo_member.user, in_review[0].pk)
        with pytest.raises(Http404):
            review_for_member(ngo_member.user, assigned.pk)

    def test_membership_of_the_applying_group_hides_it_too(
        self, in_review, assigned, ngo_member, group
    ):
        f.MembershipFactory(group=group, user=ngo_member.user, role="editor")
        assert list(applications_for_member(ngo_member.user)) == []
        with pytest.raises(Http404):
            application_for_member(ngo_member.user, in_review[0].pk)

    def test_an_expert_reads_every_application_without_conflict(self, in_review, expert):
        rf.ConflictFactory(member=expert, application=in_review[1])
        assert list(applications_for_member(expert.user)) == [in_review[0]]

    def test_a_recused_review_is_gone(self, in_review, assigned, ngo_member):
        rf.set_status(assigned, Review.Status.RECUSED)
        with pytest.raises(Http404):
            application_for_member(ngo_member.user, in_review[0].pk)

    def test_officials_and_outsiders_are_not_members(self, in_review, assigned, official, outsider):
        # The chair's user is an official, but reads as a member only what is
        # assigned to them: nothing here.
        for user in (official, outsider):
            with pytest.raises(Http404):
                application_for_member(user, in_review[0].pk)


class TestScoresBeforeAndAfterClosing:
    @pytest.fixture
    def scored(self, in_review, ngo_member, second_member, chair):
        mine = rf.scored(in_review[0], ngo_member, 18, 30)
        theirs = rf.scored(in_review[0], second_member, 10, 20)
        rf.scored(in_review[1], second_member, 12, 22)
        return mine, theirs

    def test_members_do_not_see_each_others_scores_while_scoring(
        self, reviewing, scored, ngo_member, chair, second_member
    ):
        mine, theirs = scored
        assert review_for_member(ngo_member.user, mine.pk).scores.count() == 2
        with pytest.raises(Http404):
            review_for_member(ngo_member.user, theirs.pk)
        assert [r.pk for r in reviews_for_member(ngo_member.user)] == [mine.pk]
        for user in (ngo_member.user, chair.user):
            with pytest.raises(WrongState):
                competition_ranking(user, reviewing)
            with pytest.raises(WrongState):
                scoring_panel(user, reviewing)
        # Progress: plain members do not follow it; the chair sees statuses only.
        with pytest.raises(Http404):
            review_progress(ngo_member.user, reviewing)
        rows = review_progress(chair.user, reviewing)
        assert {r.status for r in rows} == {"submitted"}
        fields = {field.name for field in dataclasses.fields(rows[0])}
        assert not fields & {"scores", "points", "total", "comment"}
        assert rows[0].transitions == ("reopen",)

    def test_after_closing_the_panel_opens_except_for_conflicts(
        self, reviewing, in_review, scored, ngo_member, second_member, official, outsider
    ):
        rf.close_scoring(reviewing)
        rf.ConflictFactory(member=ngo_member, application=in_review[1])

        seen = scoring_panel(ngo_member.user, reviewing)
        assert [p.result.application_id for p in seen] == [in_review[0].pk]
        assert {r.member for r in seen[0].reviews} == {"Nina Organizacja", "Szymon Społecznik"}
        assert len(scoring_panel(official, reviewing)) == 2
        assert len(competition_ranking(second_member.user, reviewing).rows) == 2
        with pytest.raises(Http404):
            scoring_panel(outsider, reviewing)

    def test_commission_list_for_members_and_officials(
        self, reviewing, commission, outsider, official
    ):
        members = commission_of(official, reviewing)
        assert members.count() == 4
        assert members[0].is_chair
        with pytest.raises(Http404):
            commission_of(outsider, reviewing)


class TestApplicant:
    @pytest.fixture
    def decided(self, reviewing, in_review, ngo_member, second_member):
        rf.scored(in_review[0], ngo_member, 18, 30, comment="Dobry projekt")
        rf.scored(in_review[0], second_member, 10, 20)
        return in_review[0]

    def test_no_reviews_before_the_decision(self, decided, owner):
        assert reviews_for_applicant(owner, decided.pk) == []

    def test_anonymous_reviews_after_the_decision(
        self, reviewing, decided, owner, editor, ngo_member, second_member
    ):
        rf.set_status(reviewing, Competition.Status.DECIDED)

        with translation.override("en"):
            reviews = reviews_for_applicant(editor, decided.pk)

        # Ordered by total, not by assignment: the order gives nothing away.
        assert [(r.label, r.total) for r in reviews] == [("Reviewer 1", 30), ("Reviewer 2", 48)]
        assert {field.name for field in dataclasses.fields(AnonymousReview)} == {
            "label",
            "total",
            "comment",
            "scores",
        }
        text = repr(reviews)
        for member in (ngo_member, second_member):
            assert member.user.full_name not in text
            assert member.user.email not in text
        assert reviews[1].comment == "Dobry projekt"

    def test_applicants_reach_no_member_view(self, reviewing, decided, owner, other_group_owner):
        rf.set_status(reviewing, Competition.Status.DECIDED)
        review = decided.reviews.first()
        with pytest.raises(Http404):
            review_for_member(owner, review.pk)
        with pytest.raises(Http404):
            scoring_panel(owner, reviewing)
        with pytest.raises(Http404):
            competition_ranking(owner, reviewing)
        with pytest.raises(Http404):
            reviews_for_applicant(other_group_owner, decided.pk)


def test_member_lists_cost_a_fixed_number_of_queries(reviewing, ngo_member):
    def add(n):
        for _ in range(n):
            rf.scored(rf.in_review_application(reviewing), ngo_member, 10, 10, comment="ok")

    def read():
        rows = list(reviews_for_member(ngo_member.user))
        return [(r.application.number, [s.criterion.name for s in r.scores.all()]) for r in rows]

    add(2)
    read()  # the member's roles are read once and kept
    with CaptureQueriesContext(connection) as few:
        assert len(read()) == 2
    add(6)
    with CaptureQueriesContext(connection) as many:
        assert len(read()) == 8
    assert len(many) == len(few)
