from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import Http404

from applications.formal import (
    formal_accept,
    formal_check_save,
    formal_reject,
    formal_reject_overdue,
    formal_request_correction,
)
from applications.formal_selectors import (
    application_changes,
    diff_snapshots,
    formal_check_for_official,
    formal_findings,
    snapshot_changes,
)
from applications.models import Application, FormalCheck
from applications.selectors import application_history
from applications.services import application_submit, application_update
from competitions.models import Competition
from core.errors import NotPermitted, RuleViolation, WrongState
from tests import factories as f

WARSAW = ZoneInfo("Europe/Warsaw")
REQUESTED_AT = datetime(2026, 12, 1, 10, 0, tzinfo=WARSAW)


@pytest.fixture
def submitted_app(application, owner):
    return application_submit(application=application, actor=owner)


@pytest.fixture
def items(competition):
    """(the item that cannot be corrected, the correctable one)"""
    fatal = competition.checklist_items.get(correctable=False)
    fixable = competition.checklist_items.get(correctable=True)
    return fatal, fixable


def mark(application, official, **outcomes):
    """mark(app, official, fatal=(True, ""), fixable=(False, "no signature"))"""
    fatal, fixable = application.competition.checklist_items.order_by("correctable")
    by_name = {"fatal": fatal, "fixable": fixable}
    return formal_check_save(
        application=application,
        actor=official,
        results=[
            {"item": by_name[name].pk, "passed": passed, "comment": comment}
            for name, (passed, comment) in outcomes.items()
        ],
    )


def request_correction_at(moment, application, official):
    mark(application, official, fatal=(True, ""), fixable=(False, "Brak podpisu skarbnika."))
    with time_machine.travel(moment, tick=False):
        return formal_request_correction(
            application=application, actor=official, comment="Prosimy o uzupełnienie."
        )


class TestCheckAndAccept:
    def test_findings_are_a_draft_until_concluded(self, submitted_app, official, owner):
        check = mark(submitted_app, official, fatal=(True, "ok"), fixable=(None, ""))

        assert check.round == 1
        assert check.outcome == FormalCheck.Outcome.PENDING
        assert {(r.item.correctable, r.passed) for r in check.results.all()} == {
            (False, True),
            (True, None),
        }
        # The applicant sees nothing of a check in progress.
        assert formal_findings(owner, submitted_app.pk) is None
        submitted_app.refresh_from_db()
        assert submitted_app.status == Application.Status.SUBMITTED
        assert application_history(submitted_app).last().transition == "formal_check_save"

    def test_accept_when_every_item_is_met(self, submitted_app, official):
        mark(submitted_app, official, fatal=(True, ""), fixable=(True, ""))

        accepted = formal_accept(application=submitted_app, actor=official)

        assert accepted.status == Application.Status.FORMALLY_ACCEPTED
        check = accepted.formal_checks.get()
        assert (check.outcome, check.concluded_by) == (FormalCheck.Outcome.ACCEPTED, official)
        entry = application_history(accepted).last()
        assert (entry.transition, entry.from_state, entry.to_state, entry.actor) == (
            "accept_formally",
            "submitted",
            "formally_accepted",
            official,
        )
        assert len(entry.payload["findings"]) == 2

    @pytest.mark.parametrize("fixable", [(None, ""), (False, "brak")])
    def test_accept_refused_while_an_item_is_unchecked_or_unmet(
        self, submitted_app, official, fixable
    ):
        mark(submitted_app, official, fatal=(True, ""), fixable=fixable)
        with pytest.raises(RuleViolation):
            formal_accept(application=submitted_app, actor=official)
        submitted_app.refresh_from_db()
        assert submitted_app.status == Application.Status.SUBMITTED

    def test_accept_without_any_check_recorded_is_refused(self, submitted_app, official):
        with pytest.raises(RuleViolation):
            formal_accept(application=submitted_app, actor=official)

    def test_a_competition_without_checklist_accepts_directly(self, submitted_app, official):
        submitted_app.competition.checklist_items.all().delete()
        accepted = formal_accept(application=submitted_app, actor=official)
        assert accepted.status == Application.Status.FORMALLY_ACCEPTED

    def test_unknown_or_repeated_items_are_refused(self, submitted_app, official, items):
        other = f.ChecklistItemFactory()  # another competition's item
        with pytest.raises(RuleViolation) as caught:
            formal_check_save(
                application=submitted_app,
                actor=official,
                results=[
                    {"item": other.pk, "passed": True},
                    {"item": items[0].pk, "passed": True},
                    {"item": items[0].pk, "passed": False},
                    {"item": items[1].pk, "passed": "yes"},
                ],
            )
        assert len(caught.value.errors["results"]) == 3
        assert not submitted_app.formal_checks.exists()

    def test_only_the_operators_officials_check(
        self, submitted_app, owner, outsider, other_official, items
    ):
        for actor in (owner, outsider, other_official):
            with pytest.raises(NotPermitted):
                formal_check_save(
                    application=submitted_app,
                    actor=actor,
                    results=[{"item": items[0].pk, "passed": True}],
                )
            with pytest.raises(NotPermitted):
                formal_accept(application=submitted_app, actor=actor)

    def test_a_draft_or_a_decided_application_is_not_checked(
        self, application, submitted_app, official, items
    ):
        draft = f.ready_application(competition=application.competition)
        with pytest.raises(WrongState):
            formal_check_save(
                application=draft, actor=official, results=[{"item": items[0].pk, "passed": True}]
            )
        mark(submitted_app, official, fatal=(True, ""), fixable=(True, ""))
        formal_accept(application=submitted_app, actor=official)
        with pytest.raises(WrongState):
            formal_accept(application=submitted_app, actor=official)

    def test_nothing_is_checked_once_the_review_started(self, submitted_app, official, items):
        Competition.objects.filter(pk=submitted_app.competition_id).update(status="in_review")
        with pytest.raises(WrongState):
            formal_check_save(
                application=submitted_app,
                actor=official,
                results=[{"item": items[0].pk, "passed": True}],
            )


class TestCorrection:
    def test_correction_needs_every_failing_item_correctable(self, submitted_app, official):
        mark(submitted_app, official, fatal=(False, "Po terminie"), fixable=(False, "Podpis"))
        with pytest.raises(RuleViolation) as caught:
            formal_request_correction(application=submitted_app, actor=official)
        assert "Wniosek złożony w terminie" in caught.value.messages[0]
        submitted_app.refresh_from_db()
        assert submitted_app.status == Application.Status.SUBMITTED
        assert submitted_app.correction_deadline is None

    def test_correction_needs_every_item_checked_and_one_failing(self, submitted_app, official):
        mark(submitted_app, official, fatal=(True, ""), fixable=(None, ""))
        with pytest.raises(RuleViolation):
            formal_request_correction(application=submitted_app, actor=official)
        mark(submitted_app, official, fixable=(True, ""))
        with pytest.raises(RuleViolation):
            formal_request_correction(application=submitted_app, actor=official)

    def test_request_sets_the_deadline_and_tells_the_group(
        self, submitted_app, official, owner, editor, django_capture_on_commit_callbacks, mailoutbox
    ):
        with django_capture_on_commit_callbacks(execute=True):
            corrected = request_correction_at(REQUESTED_AT, submitted_app, official)

        assert corrected.status == Application.Status.NEEDS_CORRECTION
        assert corrected.correction_deadline == REQUESTED_AT + timedelta(days=7)
        entry = application_history(corrected).last()
        assert (entry.transition, entry.to_state) == ("request_correction", "needs_correction")
        assert entry.payload["findings"][0]["comment"] == "Brak podpisu skarbnika."
        assert sorted(m.to[0] for m in mailoutbox) == sorted([owner.email, editor.email])
        assert "Brak podpisu skarbnika." in mailoutbox[0].body
        assert submitted_app.number in mailoutbox[0].subject

    def test_the_applicant_sees_exactly_what_to_fix(
        self, submitted_app, official, owner, other_group_owner
    ):
        request_correction_at(REQUESTED_AT, submitted_app, official)

        findings = formal_findings(owner, submitted_app.pk)

        assert findings.outcome == FormalCheck.Outcome.CORRECTION_REQUESTED
        assert findings.correction_deadline == REQUESTED_AT + timedelta(days=7)
        assert [(x.item.text, x.comment) for x in findings.failed] == [
            ("Kompletny podpis", "Brak podpisu skarbnika.")
        ]
        assert findings.comment == "Prosimy o uzupełnienie."
        with pytest.raises(Http404):
            formal_findings(other_group_owner, submitted_app.pk)

    def test_resubmission_before_the_deadline_adds_a_version(self, submitted_app, official, owner):
        corrected = request_correction_at(REQUESTED_AT, submitted_app, official)
        application_update(
            application=corrected, actor=owner, data={"title": "Ogród sąsiedzki, poprawiony"}
        )

        with time_machine.travel(corrected.correction_deadline - timedelta(seconds=1), tick=False):
            resubmitted = application_submit(application=corrected, actor=owner)

        assert resubmitted.status == Application.Status.SUBMITTED
        assert resubmitted.number == submitted_app.number
        assert list(resubmitted.snapshots.values_list("version", flat=True)) == [1, 2]
        changes = snapshot_changes(resubmitted)
        assert [(c.path, c.kind, c.before, c.after) for c in changes] == [
            ("title", "changed", "Ogród sąsiedzki na Zabłociu", "Ogród sąsiedzki, poprawiony")
        ]
        assert snapshot_changes(resubmitted, version=1) == []
        assert application_changes(owner, resubmitted.pk) == changes
        with pytest.raises(Http404):
            application_changes(f.UserFactory(), resubmitted.pk)
        with pytest.raises(Http404):
            snapshot_changes(resubmitted, version=3)

        # The official's next look opens round 2 with what passed before kept
        # and the failed item to be checked again, and shows what changed.
        view = formal_check_for_official(official, resubmitted.pk)
        assert view.current.round == 1 and view.current.is_concluded
        assert [c.path for c in view.changes] == ["title"]
        check = mark(resubmitted, official, fixable=(True, "Podpis jest"))
        assert check.round == 2
        assert check.snapshot.version == 2
        assert sorted(check.results.values_list("passed", flat=True)) == [True, True]
        accepted = formal_accept(application=resubmitted, actor=official)
        assert accepted.status == Application.Status.FORMALLY_ACCEPTED

    @pytest.mark.parametrize("offset", [timedelta(0), timedelta(seconds=1)])
    def test_resubmission_at_or_after_the_deadline_is_refused(
        self, submitted_app, official, owner, offset
    ):
        corrected = request_correction_at(REQUESTED_AT, submitted_app, official)
        with time_machine.travel(corrected.correction_deadline + offset, tick=False):
            with pytest.raises(RuleViolation) as caught:
                application_submit(application=corrected, actor=owner)
        assert "correction_deadline" in caught.value.errors
        corrected.refresh_from_db()
        assert corrected.status == Application.Status.NEEDS_CORRECTION
        assert corrected.snapshots.count() == 1

    def test_the_official_view_is_for_officials_only(self, submitted_app, owner, other_official):
        for user in (owner, other_official):
            with pytest.raises(Http404):
                formal_check_for_official(user, submitted_app.pk)


class TestReject:
    def test_reject_with_reasons_and_a_failed_item(
        self, submitted_app, official, owner, django_capture_on_commit_callbacks, mailoutbox
    ):
        mark(submitted_app, official, fatal=(False, "Złożony po terminie"))
        with pytest.raises(RuleViolation):
            formal_reject(application=submitted_app, actor=official, reasons="  ")

        with django_capture_on_commit_callbacks(execute=True):
            rejected = formal_reject(
                application=submitted_app, actor=official, reasons="Wniosek po terminie."
            )

        assert rejected.status == Application.Status.FORMALLY_REJECTED
        check = rejected.formal_checks.get()
        assert (check.outcome, check.comment) == (
            FormalCheck.Outcome.REJECTED,
            "Wniosek po terminie.",
        )
        findings = formal_findings(owner, rejected.pk)
        assert findings.outcome == FormalCheck.Outcome.REJECTED
        assert findings.correction_deadline is None
        assert [x.comment for x in findings.failed] == ["Złożony po terminie"]
        assert "Wniosek po terminie." in mailoutbox[0].body

    def test_reject_needs_a_failed_item(self, submitted_app, official):
        mark(submitted_app, official, fatal=(True, ""), fixable=(True, ""))
        with pytest.raises(RuleViolation):
            formal_reject(application=submitted_app, actor=official, reasons="Bo tak.")

    def test_reject_during_the_correction_window_keeps_both_rounds(self, submitted_app, official):
        corrected = request_correction_at(REQUESTED_AT, submitted_app, official)
        rejected = formal_reject(
            application=corrected, actor=official, reasons="Wnioskodawca zrezygnował z poprawy."
        )
        rounds = list(rejected.formal_checks.order_by("round"))
        assert [c.outcome for c in rounds] == ["correction_requested", "rejected"]
        assert rounds[1].results.filter(passed=False).count() == 1


class TestOverdue:
    @pytest.fixture
    def waiting(self, competition, official, owner, group):
        """Three applications asked to correct: A at REQUESTED_AT, B an hour
        later, C at REQUESTED_AT but resubmitted in time."""
        apps = []
        for offset in (timedelta(0), timedelta(hours=1), timedelta(0)):
            app = f.ready_application(competition=competition, group=group)
            application_submit(application=app, actor=owner)
            apps.append(request_correction_at(REQUESTED_AT + offset, app, official))
        with time_machine.travel(REQUESTED_AT + timedelta(days=1), tick=False):
            application_submit(application=apps[2], actor=owner)
        return apps

    def test_rejects_only_the_overdue_and_only_once(self, waiting):
        a, b, c = waiting
        deadline = a.correction_deadline

        with time_machine.travel(deadline - timedelta(seconds=1), tick=False):
            assert formal_reject_overdue() == []
        with time_machine.travel(deadline, tick=False):
            assert formal_reject_overdue() == [a.pk]
            assert formal_reject_overdue() == []
        with time_machine.travel(b.correction_deadline + timedelta(seconds=1), tick=False):
            assert formal_reject_overdue() == [b.pk]
            assert formal_reject_overdue() == []

        statuses = dict(Application.objects.values_list("pk", "status"))
        assert statuses[a.pk] == statuses[b.pk] == Application.Status.FORMALLY_REJECTED
        assert statuses[c.pk] == Application.Status.SUBMITTED
        entry = application_history(a).last()
        assert (entry.transition, entry.actor, entry.from_state) == (
            "reject_formally",
            None,
            "needs_correction",
        )
        assert application_history(a).filter(transition="reject_formally").count() == 1
        check = a.formal_checks.order_by("round").last()
        assert (check.outcome, check.concluded_by) == (FormalCheck.Outcome.REJECTED, None)

    def test_takes_now_as_an_argument(self, waiting):
        a, b, _c = waiting
        assert formal_reject_overdue(now=b.correction_deadline) == [a.pk, b.pk]


def test_diff_of_budget_lines_answers_and_long_texts():
    before = {
        "number": "DL/2026/001",
        "title": "Ogród",
        "description": "Akapit pierwszy.\nAkapit drugi.",
        "budget_lines": [
            {"id": 1, "name": "Sadzonki", "unit_cost": "4100.00"},
            {"id": 2, "name": "Księgowość", "unit_cost": "300.00"},
        ],
        "schedule_items": [{"action": "Przygotowanie"}],
        "answers": [{"question_id": 7, "value": "tak"}],
    }
    after = {
        "number": "DL/2026/001",
        "title": "Ogród",
        "description": "Akapit pierwszy.\nAkapit drugi, poprawiony.",
        "budget_lines": [
            {"id": 1, "name": "Sadzonki", "unit_cost": "4000.00"},
            {"id": 3, "name": "Transport", "unit_cost": "100.00"},
        ],
        "schedule_items": [{"action": "Przygotowanie"}, {"action": "Sadzenie"}],
        "answers": [{"question_id": 7, "value": "nie"}],
    }
    changes = {c.path: c for c in diff_snapshots(before, after)}

    assert set(changes) == {
        "description",
        "budget_lines.1.unit_cost",
        "budget_lines.2",
        "budget_lines.3",
        "schedule_items.2",
        "answers.7.value",
    }
    assert changes["description"].lines == ("-Akapit drugi.", "+Akapit drugi, poprawiony.")
    assert (
        changes["budget_lines.1.unit_cost"].before,
        changes["budget_lines.1.unit_cost"].after,
    ) == (
        "4100.00",
        "4000.00",
    )
    assert changes["budget_lines.2"].kind == "removed"
    assert changes["budget_lines.3"].kind == "added"
    assert changes["budget_lines.3"].section == "budget_lines"
    assert Decimal(changes["budget_lines.3"].after["unit_cost"]) == Decimal("100")
