import pytest

from applications.models import Application
from competitions.models import Competition
from core.errors import NotPermitted, RuleViolation, WrongState
from core.models import AuditEntry
from core.roles import roles_for
from reviews.models import CommissionMember, Conflict, Declaration, ReviewSettings
from reviews.services import (
    commission_member_add,
    commission_member_remove,
    commission_member_update,
    competition_start_review,
    declaration_sign,
    review_settings_update,
)
from tests import factories as f

from . import factories as rf

NGO = CommissionMember.Affiliation.NGO_REPRESENTATIVE
OFFICIAL = CommissionMember.Affiliation.OFFICIAL
EXPERT = CommissionMember.Affiliation.EXPERT


class TestForming:
    def test_an_official_adds_members_and_they_are_told(
        self, competition, official, django_capture_on_commit_callbacks, mailoutbox
    ):
        person = f.UserFactory(full_name="Nina Organizacja")
        roles_for(person)  # cached before the appointment

        with django_capture_on_commit_callbacks(execute=True):
            member = commission_member_add(
                competition=competition, actor=official, user=person, affiliation=NGO
            )

        assert (member.affiliation, member.is_chair, member.added_by) == (NGO, False, official)
        entry = AuditEntry.objects.filter(transition="commission_member_add").get()
        assert entry.payload["user"] == person.pk and entry.actor == official
        assert [m.to for m in mailoutbox] == [[person.email]]
        assert competition.title in mailoutbox[0].subject
        seat = roles_for(person).seat_in(competition.pk)
        assert seat is not None and seat.member_id == member.pk and not seat.signed

    def test_only_officials_of_the_operator_form_it(
        self, competition, other_official, owner, outsider
    ):
        for actor in (other_official, owner, outsider):
            with pytest.raises(NotPermitted):
                commission_member_add(
                    competition=competition, actor=actor, user=outsider, affiliation=NGO
                )

    def test_capacity_rules(self, competition, official, outsider):
        with pytest.raises(RuleViolation) as caught:
            commission_member_add(
                competition=competition, actor=official, user=outsider, affiliation=OFFICIAL
            )
        assert "affiliation" in caught.value.errors
        with pytest.raises(RuleViolation):
            commission_member_add(
                competition=competition, actor=official, user=outsider, affiliation="boss"
            )
        with pytest.raises(RuleViolation) as caught:
            commission_member_add(
                competition=competition,
                actor=official,
                user=outsider,
                affiliation=EXPERT,
                is_chair=True,
            )
        assert "is_chair" in caught.value.errors
        commission_member_add(
            competition=competition, actor=official, user=outsider, affiliation=NGO
        )
        with pytest.raises(RuleViolation):
            commission_member_add(
                competition=competition, actor=official, user=outsider, affiliation=NGO
            )

    def test_one_chair_at_a_time(self, competition, official, outsider):
        first = commission_member_add(
            competition=competition,
            actor=official,
            user=official,
            affiliation=OFFICIAL,
            is_chair=True,
        )
        second = commission_member_add(
            competition=competition, actor=official, user=outsider, affiliation=NGO
        )
        commission_member_update(member=second, actor=official, is_chair=True)
        first.refresh_from_db()
        assert (first.is_chair, CommissionMember.objects.get(pk=second.pk).is_chair) == (
            False,
            True,
        )
        with pytest.raises(RuleViolation):
            commission_member_update(member=second, actor=official, affiliation=EXPERT)

    def test_a_member_who_signed_stays_on_record(self, competition, official, outsider):
        member = commission_member_add(
            competition=competition, actor=official, user=outsider, affiliation=NGO
        )
        rf.DeclarationFactory(member=member)
        with pytest.raises(RuleViolation):
            commission_member_remove(member=member, actor=official)
        other = commission_member_add(
            competition=competition, actor=official, user=f.UserFactory(), affiliation=NGO
        )
        commission_member_remove(member=other, actor=official)
        assert not CommissionMember.objects.filter(pk=other.pk).exists()

    def test_no_changes_once_decided(self, competition, official, outsider):
        rf.set_status(competition, Competition.Status.DECIDED)
        with pytest.raises(WrongState):
            commission_member_add(
                competition=competition, actor=official, user=outsider, affiliation=NGO
            )

    def test_disagreement_share_is_a_setting(self, competition, official, outsider):
        settings = review_settings_update(
            competition=competition, actor=official, disagreement_pct="25.5"
        )
        assert ReviewSettings.objects.get(pk=settings.pk).disagreement_pct == 25.5
        for bad in ("101", "-1", "abc"):
            with pytest.raises(RuleViolation):
                review_settings_update(
                    competition=competition, actor=official, disagreement_pct=bad
                )
        with pytest.raises(NotPermitted):
            review_settings_update(competition=competition, actor=outsider, disagreement_pct=10)


class TestDeclaration:
    @pytest.fixture
    def closed(self, competition, group):
        competition = rf.set_status(competition, Competition.Status.CLOSED)
        mine = rf.in_review_application(
            competition, group=group, status=Application.Status.FORMALLY_ACCEPTED
        )
        other = rf.in_review_application(competition, status=Application.Status.SUBMITTED)
        gone = rf.in_review_application(competition, status=Application.Status.WITHDRAWN)
        return competition, mine, other, gone

    def test_sign_with_conflicts_and_membership_is_added(self, closed, editor):
        competition, mine, other, _gone = closed
        member = rf.CommissionMemberFactory(competition=competition, user=editor)
        assert not roles_for(editor).has_signed_for(competition.pk)

        declaration = declaration_sign(
            competition=competition,
            actor=editor,
            conflicts=[{"application": other.pk, "ground": "relative", "details": "szwagier"}],
        )

        assert declaration.member == member
        assert editor.full_name in declaration.statement
        found = {
            (c.application_id, c.ground, c.source) for c in Conflict.objects.filter(member=member)
        }
        assert found == {
            (other.pk, "relative", "declaration"),
            (mine.pk, "party", "membership"),  # the editor belongs to the applying group
        }
        assert roles_for(editor).has_signed_for(competition.pk)
        entry = AuditEntry.objects.get(transition="sign")
        assert entry.payload["membership_conflicts"] == [mine.pk]

    def test_conflicts_must_name_real_applications_and_grounds(self, closed, outsider):
        competition, _mine, other, gone = closed
        rf.CommissionMemberFactory(competition=competition, user=outsider)
        bad = [
            [{"application": gone.pk, "ground": "relative"}],
            [{"application": f.ApplicationFactory().pk, "ground": "relative"}],
            [{"application": other.pk, "ground": "other", "details": ""}],
            [{"application": other.pk, "ground": "cousin"}],
            [{"application": other.pk}, {"application": other.pk, "ground": "party"}],
        ]
        for conflicts in bad:
            with pytest.raises(RuleViolation):
                declaration_sign(competition=competition, actor=outsider, conflicts=conflicts)
        assert not Declaration.objects.exists()

    def test_only_members_sign_once_after_submissions_close(self, closed, outsider, official):
        competition, *_ = closed
        with pytest.raises(NotPermitted):
            declaration_sign(competition=competition, actor=outsider)
        rf.CommissionMemberFactory(competition=competition, user=outsider)
        declaration_sign(competition=competition, actor=outsider)
        with pytest.raises(WrongState):
            declaration_sign(competition=competition, actor=outsider)
        published = f.CompetitionFactory(operator=competition.operator)
        rf.CommissionMemberFactory(competition=published, user=official)
        with pytest.raises(WrongState):
            declaration_sign(competition=published, actor=official)


class TestStartReview:
    @pytest.fixture
    def closed(self, competition):
        return rf.set_status(competition, Competition.Status.CLOSED)

    @pytest.fixture
    def members(self, closed, official):
        return [
            rf.CommissionMemberFactory(competition=closed, user=official, affiliation=OFFICIAL),
            rf.CommissionMemberFactory(competition=closed, affiliation=NGO),
        ]

    def test_moves_the_accepted_applications_to_review(self, closed, members, official):
        accepted = rf.in_review_application(closed, status=Application.Status.FORMALLY_ACCEPTED)
        rejected = rf.in_review_application(closed, status=Application.Status.FORMALLY_REJECTED)
        withdrawn = rf.in_review_application(closed, status=Application.Status.WITHDRAWN)

        started = competition_start_review(competition=closed, actor=official)

        assert started.status == Competition.Status.IN_REVIEW
        statuses = dict(Application.objects.values_list("pk", "status"))
        assert statuses == {
            accepted.pk: "in_review",
            rejected.pk: "formally_rejected",
            withdrawn.pk: "withdrawn",
        }
        entry = rf.history(closed).get(transition="start_review")
        assert entry.payload["applications"] == [accepted.pk]

    @pytest.mark.parametrize("waiting", ["submitted", "needs_correction"])
    def test_refused_while_an_application_is_not_formally_resolved(
        self, closed, members, official, waiting
    ):
        open_one = rf.in_review_application(closed, status=waiting)
        with pytest.raises(RuleViolation) as caught:
            competition_start_review(competition=closed, actor=official)
        assert open_one.number in caught.value.messages[0]
        closed.refresh_from_db()
        assert closed.status == Competition.Status.CLOSED

    def test_without_ngo_representative_a_reason_is_required_and_kept(self, closed, official):
        rf.CommissionMemberFactory(competition=closed, user=official, affiliation=OFFICIAL)
        rf.CommissionMemberFactory(competition=closed, affiliation=OFFICIAL)
        with pytest.raises(RuleViolation) as caught:
            competition_start_review(competition=closed, actor=official)
        assert "no_ngo_reason" in caught.value.errors

        competition_start_review(
            competition=closed, actor=official, no_ngo_reason="Nikt nie zgłosił kandydata."
        )

        assert closed.review_settings.no_ngo_reason == "Nikt nie zgłosił kandydata."
        entry = rf.history(closed).get(transition="start_review")
        assert entry.payload["no_ngo_reason"] == "Nikt nie zgłosił kandydata."

    def test_needs_enough_members_who_score(self, closed, official):
        rf.CommissionMemberFactory(competition=closed, affiliation=NGO)
        rf.CommissionMemberFactory(competition=closed, affiliation=EXPERT)
        with pytest.raises(RuleViolation) as caught:
            competition_start_review(competition=closed, actor=official)
        assert "commission" in caught.value.errors

    def test_permission_and_state(self, competition, closed, members, official, other_official):
        with pytest.raises(NotPermitted):
            competition_start_review(competition=closed, actor=other_official)
        rf.set_status(competition, Competition.Status.PUBLISHED)
        with pytest.raises(WrongState):
            competition_start_review(competition=competition, actor=official)
