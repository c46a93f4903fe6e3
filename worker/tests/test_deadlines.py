"""What happens by itself at a deadline, just before, at and just after it;
and proof that the services refuse late actions whether or not the job ran."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail

from applications.models import Application
from applications.services import application_submit
from competitions.models import Competition
from competitions.services import competition_close
from core.errors import RuleViolation
from core.models import AuditEntry
from payouts.models import Grant
from payouts.services import grant_budget_update
from payouts.tests import factories as pf
from worker.deadlines import run_deadlines
from worker.models import ReminderClaim, ReminderSettings

SECOND = timedelta(seconds=1)
WARSAW = ZoneInfo("Europe/Warsaw")


def warsaw_midnight(day):
    return datetime.combine(day, time.min, tzinfo=WARSAW)


def last_entry(obj) -> AuditEntry:
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).last()


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def run_at(moment):
        with time_machine.travel(moment, tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                return run_deadlines()

    return run_at


class TestSubmissionDeadline:
    def test_submissions_close_at_the_deadline_not_before(self, competition, run):
        deadline = competition.submission_deadline

        assert run(deadline - SECOND)["closed"] == []
        competition.refresh_from_db()
        assert competition.status == Competition.Status.PUBLISHED

        assert run(deadline)["closed"] == [competition.pk]
        competition.refresh_from_db()
        assert competition.status == Competition.Status.CLOSED
        entry = last_entry(competition)
        assert (entry.transition, entry.actor) == ("close", None)

        assert run(deadline + SECOND)["closed"] == []
        assert AuditEntry.objects.filter(transition="close").count() == 1

    def test_a_competition_closed_by_an_official_is_left_alone(self, competition, official, run):
        deadline = competition.submission_deadline
        with time_machine.travel(deadline + SECOND, tick=False):
            competition_close(competition=competition, actor=official)

        assert run(deadline + 2 * SECOND)["closed"] == []
        assert last_entry(competition).actor == official

    def test_the_system_cannot_close_before_the_deadline(self, competition):
        with time_machine.travel(competition.submission_deadline - SECOND, tick=False):
            with pytest.raises(RuleViolation):
                competition_close(competition=competition, actor=None)

    @pytest.mark.parametrize("after", [timedelta(0), SECOND, timedelta(days=2)])
    def test_a_submission_at_or_after_the_deadline_is_refused_without_the_job(
        self, application, owner, competition, after
    ):
        """The competition is still "published": the job has not run."""
        with time_machine.travel(competition.submission_deadline + after, tick=False):
            with pytest.raises(RuleViolation):
                application_submit(application=application, actor=owner)
        competition.refresh_from_db()
        assert competition.status == Competition.Status.PUBLISHED
        application.refresh_from_db()
        assert application.status == Application.Status.DRAFT

    def test_a_submission_a_second_before_the_deadline_is_accepted(
        self, application, owner, competition
    ):
        with time_machine.travel(competition.submission_deadline - SECOND, tick=False):
            submitted = application_submit(application=application, actor=owner)
        assert submitted.status == Application.Status.SUBMITTED


class TestCorrectionDeadline:
    def test_an_uncorrected_application_is_rejected_at_the_deadline(
        self, needs_correction, owner, editor, run
    ):
        deadline = needs_correction.correction_deadline
        mail.outbox.clear()

        assert run(deadline - SECOND)["formally_rejected"] == []
        needs_correction.refresh_from_db()
        assert needs_correction.status == Application.Status.NEEDS_CORRECTION

        assert run(deadline)["formally_rejected"] == [needs_correction.pk]
        needs_correction.refresh_from_db()
        assert needs_correction.status == Application.Status.FORMALLY_REJECTED
        entry = last_entry(needs_correction)
        assert (entry.transition, entry.actor) == ("reject_formally", None)
        assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, editor.email])

        assert run(deadline + SECOND)["formally_rejected"] == []
        assert len(mail.outbox) == 2

    def test_a_correction_resubmitted_in_time_is_not_rejected(self, needs_correction, owner, run):
        deadline = needs_correction.correction_deadline
        with time_machine.travel(deadline - SECOND, tick=False):
            application_submit(application=needs_correction, actor=owner)

        assert run(deadline)["formally_rejected"] == []
        needs_correction.refresh_from_db()
        assert needs_correction.status == Application.Status.SUBMITTED

    @pytest.mark.parametrize("after", [timedelta(0), SECOND])
    def test_a_late_correction_is_refused_without_the_job(self, needs_correction, owner, after):
        with time_machine.travel(needs_correction.correction_deadline + after, tick=False):
            with pytest.raises(RuleViolation):
                application_submit(application=needs_correction, actor=owner)
        needs_correction.refresh_from_db()
        assert needs_correction.status == Application.Status.NEEDS_CORRECTION


class TestLapsedBudgetUpdate:
    def test_the_officials_are_told_once_at_the_deadline(self, reduced_grant, official, owner, run):
        deadline = reduced_grant.budget_update_deadline
        mail.outbox.clear()

        assert run(deadline - SECOND)["budget_update"]["flagged"] == []
        assert mail.outbox == []

        assert run(deadline)["budget_update"] == {"declined": [], "flagged": [reduced_grant.pk]}
        (message,) = mail.outbox
        assert message.to == [official.email]
        assert reduced_grant.contract_number in message.subject
        reduced_grant.refresh_from_db()
        # The officials decide: the grant waits for them.
        assert reduced_grant.status == Grant.Status.PREPARING
        claim = ReminderClaim.objects.get()
        assert claim.kind == ReminderClaim.Kind.BUDGET_UPDATE_LAPSED
        assert claim.outbox_message.to_email == official.email

        run(deadline + SECOND)
        run(deadline + timedelta(days=1))
        assert len(mail.outbox) == 1

    def test_the_competition_may_have_the_system_decline_it(self, reduced_grant, run):
        ReminderSettings.objects.create(
            competition=reduced_grant.competition, decline_lapsed_budget_update=True
        )
        deadline = reduced_grant.budget_update_deadline

        assert run(deadline - SECOND)["budget_update"]["declined"] == []
        assert run(deadline)["budget_update"] == {"declined": [reduced_grant.pk], "flagged": []}
        reduced_grant.refresh_from_db()
        assert reduced_grant.status == Grant.Status.DECLINED
        assert last_entry(reduced_grant).actor is None
        assert run(deadline + SECOND)["budget_update"]["declined"] == []

    def test_an_updated_budget_is_not_flagged(self, reduced_grant, owner, run):
        grant_budget_update(
            grant=reduced_grant, actor=owner, lines=pf.reduced_budget_lines(reduced_grant)
        )
        mail.outbox.clear()

        assert run(reduced_grant.budget_update_deadline)["budget_update"]["flagged"] == []
        assert mail.outbox == []

    @pytest.mark.parametrize("after", [timedelta(0), SECOND])
    def test_a_late_update_is_refused_without_the_job(self, reduced_grant, owner, after):
        with time_machine.travel(reduced_grant.budget_update_deadline + after, tick=False):
            with pytest.raises(RuleViolation):
                grant_budget_update(
                    grant=reduced_grant, actor=owner, lines=pf.reduced_budget_lines(reduced_grant)
                )


class TestGrantDates:
    def test_a_signed_grant_starts_on_its_first_day_and_reports_after_its_last(
        self, competition, group, owner, official, run
    ):
        grant = pf.signed_grant(
            official=official, competition=competition, group=group, owner=owner
        )
        first_day = warsaw_midnight(grant.project_start)

        assert run(first_day - SECOND)["started"] == []
        assert run(first_day)["started"] == [grant.pk]
        grant.refresh_from_db()
        assert grant.status == Grant.Status.IN_PROGRESS
        assert last_entry(grant).actor is None

        day_after_end = warsaw_midnight(grant.project_end + timedelta(days=1))
        assert run(day_after_end - SECOND)["reporting"] == []
        assert run(day_after_end)["reporting"] == [grant.pk]
        grant.refresh_from_db()
        assert grant.status == Grant.Status.REPORTING
        assert run(day_after_end + SECOND)["reporting"] == []

    def test_a_failing_rule_does_not_stop_the_others(self, competition, run, monkeypatch):
        def broken(**kwargs):
            raise RuntimeError("database hiccup")

        monkeypatch.setattr("worker.deadlines.formal_reject_overdue", broken)
        summary = run(competition.submission_deadline)
        assert summary["closed"] == [competition.pk]
