"""Reminders: each offset just before, at and after its time; nothing twice;
nothing for what has moved on; one digest per commission member."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import formats, timezone, translation

from applications.services import application_submit
from competitions.models import Competition
from payouts.models import Grant
from payouts.services import grant_budget_update, report_save, report_submit
from payouts.tests import factories as pf
from reviews.models import Review
from reviews.tests import factories as rf
from tests import factories as f
from worker import reminders
from worker.models import Notice, NoticePreferences, OutboxMessage, ReminderClaim, ReminderSettings
from worker.reminders import DraftDue, end_of_day, reminder_time, run_rule

from .conftest import mails_to

WARSAW = ZoneInfo("Europe/Warsaw")
SECOND = timedelta(seconds=1)


def mailed(template: str) -> list:
    return [m for m in mail.outbox if m.extra_headers.get("X-Grantownik-Notice") == template]


@dataclass(frozen=True)
class Case:
    fixture: str
    template: str
    kind: str
    offsets: tuple[int, ...]

    def deadline(self, obj) -> tuple[datetime, date | None]:
        if self.fixture == "application":
            return obj.competition.submission_deadline, None
        if self.fixture == "needs_correction":
            return obj.correction_deadline, None
        if self.fixture == "reduced_grant":
            return obj.budget_update_deadline, None
        day = {
            "partial_report": lambda: obj.due_date,
            "final_report_grant": lambda: obj.final_report_due,
            "refund_grant": lambda: obj.refund_due,
        }[self.fixture]()
        return end_of_day(day), day


CASES = {
    "draft": Case("application", "reminder_draft_due", "draft_due", (7, 1)),
    "correction": Case("needs_correction", "reminder_correction_due", "correction_due", (2, 1)),
    "budget_update": Case(
        "reduced_grant", "reminder_budget_update_due", "budget_update_due", (3, 1)
    ),
    "partial_report": Case("partial_report", "reminder_report_due", "report_due", (7, 1)),
    "final_report": Case("final_report_grant", "reminder_report_due", "report_due", (7, 1)),
    "refund": Case("refund_grant", "reminder_refund_due", "refund_due", (7, 1)),
}


@pytest.fixture
def final_report_grant(running):
    return running


@pytest.fixture
def refund_grant(running):
    return running


@pytest.mark.parametrize(
    ("name", "offset"), [(name, days) for name, case in CASES.items() for days in case.offsets]
)
def test_each_reminder_just_before_at_and_after_its_time(
    name, offset, request, owner, editor, scan
):
    case = CASES[name]
    obj = request.getfixturevalue(case.fixture)
    deadline, due_date = case.deadline(obj)
    moment = reminder_time(deadline, offset, due_date)
    mail.outbox.clear()

    def claims():
        return ReminderClaim.objects.filter(kind=case.kind, offset_days=offset)

    with time_machine.travel(moment - SECOND, tick=False):
        scan()
    assert not claims().exists()

    before = len(mailed(case.template))
    with time_machine.travel(moment, tick=False):
        scan()
    new = mailed(case.template)[before:]
    assert sorted(m.to[0] for m in new) == sorted([owner.email, editor.email])
    assert {c.recipient for c in claims()} == {owner, editor}
    assert all(c.outbox_message.status == OutboxMessage.Status.SENT for c in claims())

    for later in (SECOND, timedelta(hours=5)):
        with time_machine.travel(moment + later, tick=False):
            scan()
    assert mailed(case.template)[before:] == new
    assert claims().count() == 2


def test_no_reminder_at_or_after_the_deadline(application, owner, scan):
    deadline = application.competition.submission_deadline
    for moment in (deadline, deadline + SECOND):
        with time_machine.travel(moment, tick=False):
            scan()
    assert not ReminderClaim.objects.exists()


def test_a_draft_started_late_gets_only_the_stage_it_is_in(competition, group, owner, scan):
    Competition.objects.filter(pk=competition.pk).update(
        submission_deadline=timezone.now() + timedelta(hours=12)
    )
    f.ready_application(competition=competition, group=group)

    assert scan() == {
        "draft_due": 1,
        "correction_due": 0,
        "budget_update_due": 0,
        "report_due": 0,
        "report_overdue": 0,
        "refund_due": 0,
        "reviews_due": 0,
    }
    assert list(ReminderClaim.objects.values_list("offset_days", flat=True)) == [1]
    assert scan()["draft_due"] == 0


def test_a_deadline_moved_later_earns_its_own_reminders(application, owner, scan):
    competition = application.competition
    first = competition.submission_deadline
    with time_machine.travel(reminder_time(first, 1), tick=False):
        scan()
    moved = first + timedelta(days=10)
    Competition.objects.filter(pk=competition.pk).update(submission_deadline=moved)

    with time_machine.travel(reminder_time(moved, 7), tick=False):
        scan()
    assert sorted(ReminderClaim.objects.values_list("deadline", "offset_days")) == [
        (first, 1),
        (moved, 7),
    ]
    assert len(mails_to(owner)) == 2


def test_the_reminder_is_in_the_recipients_language_with_a_direct_link(
    application, owner, editor, scan, settings
):
    editor.language = "en"
    editor.save()
    with time_machine.travel(reminder_time(application.competition.submission_deadline, 7)):
        scan()

    (english,) = mails_to(editor)
    (polish,) = mails_to(owner)
    assert "Reminder: submit" in english.subject and application.title in english.subject
    deadline = timezone.localtime(application.competition.submission_deadline, WARSAW)
    for message, language in ((polish, "pl"), (english, "en")):
        with translation.override(language):
            assert formats.date_format(deadline, "DATETIME_FORMAT") in message.body
    link = f"{settings.SITE_URL}/applications/{application.pk}/edit/"
    assert link in english.body and link in polish.body
    assert f"{settings.SITE_URL}/notices/" in english.body
    html, mime = english.alternatives[0]
    assert mime == "text/html" and f'href="{link}"' in html
    notice = Notice.objects.get(user=editor)
    assert (notice.subject, notice.url) == (english.subject, link)


class TestMovedOn:
    """A reminder for something that moved on is not sent, also when it moved
    on between the scan's look and its lock."""

    def test_a_submitted_draft_is_not_reminded(self, application, owner, scan):
        application_submit(application=application, actor=owner)
        with time_machine.travel(reminder_time(application.competition.submission_deadline, 1)):
            scan()
        assert not ReminderClaim.objects.exists()

    def test_a_draft_submitted_after_the_scan_looked_is_not_reminded(self, application, owner):
        moment = reminder_time(application.competition.submission_deadline, 7)
        rule = DraftDue()
        with time_machine.travel(moment, tick=False):
            seen = list(rule.candidates(timezone.now()))
            assert [due.obj for due in seen] == [application]
            application_submit(application=application, actor=owner)
            rule.candidates = lambda now: iter(seen)
            assert run_rule(rule, timezone.now()) == 0
        assert not ReminderClaim.objects.exists()
        assert not OutboxMessage.objects.filter(template="reminder_draft_due").exists()

    def test_a_corrected_application_is_not_reminded(self, needs_correction, owner, scan):
        application_submit(application=needs_correction, actor=owner)
        with time_machine.travel(reminder_time(needs_correction.correction_deadline, 1)):
            scan()
        assert not ReminderClaim.objects.filter(kind="correction_due").exists()

    def test_an_updated_budget_is_not_reminded(self, reduced_grant, owner, scan):
        grant_budget_update(
            grant=reduced_grant, actor=owner, lines=pf.reduced_budget_lines(reduced_grant)
        )
        with time_machine.travel(reminder_time(reduced_grant.budget_update_deadline, 1)):
            scan()
        assert not ReminderClaim.objects.filter(kind="budget_update_due").exists()

    def test_a_submitted_report_is_not_reminded(self, partial_report, owner, scan):
        report_save(report=partial_report, actor=owner, data={"narrative": "Zrobione."})
        report_submit(report=partial_report, actor=owner)
        day = partial_report.due_date
        with time_machine.travel(reminder_time(end_of_day(day), 1, day)):
            scan()
        assert not ReminderClaim.objects.filter(kind="report_due").exists()

    def test_a_submitted_final_report_is_not_reminded(self, running, owner, scan):
        pf.final_report(running, owner)
        day = running.final_report_due
        with time_machine.travel(reminder_time(end_of_day(day), 1, day)):
            scan()
        with time_machine.travel(end_of_day(day) + timedelta(days=1)):
            scan()
        assert not ReminderClaim.objects.filter(kind__in=["report_due", "report_overdue"]).exists()

    def test_a_refund_settled_at_nothing_is_not_reminded(self, running, scan):
        Grant.objects.filter(pk=running.pk).update(refund_amount=Decimal("0.00"))
        day = running.refund_due
        with time_machine.travel(reminder_time(end_of_day(day), 1, day)):
            scan()
        assert not ReminderClaim.objects.filter(kind="refund_due").exists()


class TestOverdueReports:
    def test_the_morning_after_the_due_day_the_grantee_and_officials_are_told(
        self, partial_report, owner, editor, official, scan
    ):
        next_morning = datetime.combine(
            partial_report.due_date + timedelta(days=1), time(8), tzinfo=WARSAW
        )
        mail.outbox.clear()
        with time_machine.travel(next_morning - SECOND, tick=False):
            scan()
        assert mailed("report_overdue") == []

        with time_machine.travel(next_morning, tick=False):
            scan()
        with time_machine.travel(next_morning + timedelta(days=3), tick=False):
            scan()
        assert sorted(m.to[0] for m in mailed("report_overdue")) == sorted(
            [owner.email, editor.email, official.email]
        )

    def test_an_overdue_final_report_is_announced_once(self, running, owner, official, scan):
        next_morning = datetime.combine(
            running.final_report_due + timedelta(days=1), time(8), tzinfo=WARSAW
        )
        for moment in (next_morning, next_morning + timedelta(hours=1)):
            with time_machine.travel(moment, tick=False):
                scan()
        assert len([m for m in mailed("report_overdue") if m.to == [official.email]]) == 1

    def test_the_competition_may_turn_the_overdue_notice_off(self, partial_report, scan):
        ReminderSettings.objects.create(
            competition=partial_report.grant.competition, report_overdue_notice=False
        )
        with time_machine.travel(end_of_day(partial_report.due_date) + timedelta(days=1)):
            scan()
        assert not ReminderClaim.objects.filter(kind="report_overdue").exists()


class TestSettings:
    def test_offsets_are_set_per_competition(self, application, owner, scan):
        ReminderSettings.objects.create(competition=application.competition, draft_days=[10])
        deadline = application.competition.submission_deadline
        with time_machine.travel(reminder_time(deadline, 7), tick=False):
            scan()
        assert list(ReminderClaim.objects.values_list("offset_days", flat=True)) == [10]

    def test_someone_who_turned_reminders_off_finds_them_in_the_app_only(
        self, application, owner, editor, scan
    ):
        NoticePreferences.objects.create(user=owner, reminder_emails=False)
        with time_machine.travel(reminder_time(application.competition.submission_deadline, 7)):
            scan()

        assert mails_to(owner) == [] and len(mails_to(editor)) == 1
        claim = ReminderClaim.objects.get(recipient=owner)
        assert claim.outbox_message is None
        assert Notice.objects.filter(user=owner, template="reminder_draft_due").exists()

    def test_a_refund_notice_is_emailed_even_to_someone_who_turned_reminders_off(
        self, running, owner, scan
    ):
        NoticePreferences.objects.create(user=owner, reminder_emails=False)
        day = running.refund_due
        with time_machine.travel(reminder_time(end_of_day(day), 7, day)):
            scan()
        assert len([m for m in mails_to(owner) if "reminder_refund_due" in str(m.extra_headers)])


class TestReviewDigest:
    def _competition(self, operator, deadline):
        competition = f.CompetitionFactory(operator=operator)
        f.CriterionFactory(competition=competition)
        rf.set_status(competition, Competition.Status.IN_REVIEW)
        ReminderSettings.objects.create(competition=competition, scoring_deadline=deadline)
        return competition

    @pytest.fixture
    def deadline(self):
        return timezone.now() + timedelta(days=10)

    @pytest.fixture
    def seats(self, operator, official, deadline):
        """The official sits on two commissions: two open reviews and one
        submitted in the first, one open review in the second."""
        first = self._competition(operator, deadline)
        second = self._competition(operator, deadline)
        seat_one = rf.signed_member(first, user=official)
        seat_two = rf.signed_member(second, user=official)
        reviews = [
            rf.ReviewFactory(
                application=rf.in_review_application(first, title="Ogród „Róże” & grządki"),
                member=seat_one,
            ),
            rf.ReviewFactory(
                application=rf.in_review_application(first),
                member=seat_one,
                status=Review.Status.IN_PROGRESS,
            ),
            rf.ReviewFactory(
                application=rf.in_review_application(first),
                member=seat_one,
                status=Review.Status.SUBMITTED,
            ),
            rf.ReviewFactory(application=rf.in_review_application(second), member=seat_two),
        ]
        return seat_one, seat_two, reviews

    def test_one_mail_lists_every_pending_review_across_applications_and_competitions(
        self, seats, official, deadline, scan
    ):
        seat_one, seat_two, reviews = seats
        moment = reminder_time(deadline, 3)
        with time_machine.travel(moment - SECOND, tick=False):
            scan()
        assert mails_to(official) == []

        with time_machine.travel(moment, tick=False):
            assert scan()["reviews_due"] == 1
        (digest,) = mails_to(official)
        assert "3" in digest.subject
        for review in reviews[:2] + reviews[3:]:
            assert review.application.number in digest.body
        assert reviews[2].application.number not in digest.body
        assert "Ogród „Róże” & grządki" in digest.body
        assert f"/commission/reviews/{reviews[0].pk}/" in digest.body
        assert f"/commission/reviews/{reviews[2].pk}/" not in digest.body
        assert seat_one.competition.title in digest.body
        assert seat_two.competition.title in digest.body
        claims = ReminderClaim.objects.filter(kind="reviews_due")
        assert {c.object_id for c in claims} == {seat_one.pk, seat_two.pk}
        assert len({c.outbox_message_id for c in claims}) == 1

        with time_machine.travel(moment + SECOND, tick=False):
            assert scan()["reviews_due"] == 0
        with time_machine.travel(reminder_time(deadline, 1), tick=False):
            assert scan()["reviews_due"] == 1
        assert len(mails_to(official)) == 2

    def test_submitted_reviews_and_closed_scoring_are_not_reminded(
        self, seats, official, deadline, scan
    ):
        seat_one, seat_two, _reviews = seats
        Review.objects.filter(member=seat_one).update(status=Review.Status.SUBMITTED)
        rf.close_scoring(seat_two.competition)
        with time_machine.travel(reminder_time(deadline, 1)):
            assert scan()["reviews_due"] == 0
        assert mails_to(official) == []

    def test_without_a_scoring_deadline_nobody_is_reminded(self, seats, official, scan):
        ReminderSettings.objects.update(scoring_deadline=None)
        with time_machine.travel(timezone.now() + timedelta(days=9)):
            assert scan()["reviews_due"] == 0


class TestWhen:
    def test_days_before_a_deadline_keep_the_warsaw_wall_clock_across_dst(self):
        # Summer time starts on 29 March 2026.
        deadline = datetime(2026, 3, 30, 12, 0, tzinfo=WARSAW)
        reminder = reminder_time(deadline, 3)
        assert reminder == datetime(2026, 3, 27, 12, 0, tzinfo=WARSAW)
        # 71 hours, not 72: the clock moved an hour forward in between.
        assert deadline.astimezone(UTC) - reminder.astimezone(UTC) == timedelta(hours=71)

    def test_a_day_deadline_is_reminded_of_in_the_morning(self):
        day = date(2026, 10, 30)
        assert end_of_day(day) == datetime(2026, 10, 31, 0, 0, tzinfo=WARSAW)
        assert reminder_time(end_of_day(day), 7, day) == datetime(2026, 10, 23, 8, tzinfo=WARSAW)

    def test_the_smallest_offset_whose_time_came_is_the_stage(self):
        deadline = datetime(2026, 5, 10, 12, tzinfo=WARSAW)
        at = lambda *args: datetime(*args, tzinfo=WARSAW)  # noqa: E731
        assert reminders.stage(deadline, [7, 1], at(2026, 5, 3, 11, 59)) is None
        assert reminders.stage(deadline, [7, 1], at(2026, 5, 3, 12)) == 7
        assert reminders.stage(deadline, [7, 1], at(2026, 5, 9, 12)) == 1
        assert reminders.stage(deadline, [7, 1], at(2026, 5, 10, 12)) is None


def test_a_reminder_that_cannot_be_written_stays_unclaimed_for_the_next_scan(
    application, owner, scan, monkeypatch
):
    deadline = application.competition.submission_deadline
    moment = reminder_time(deadline, 7, None)
    import worker.outbox as outbox

    real = outbox.render_notice

    def broken(*args, **kwargs):
        raise RuntimeError("template broken")

    monkeypatch.setattr(outbox, "render_notice", broken)
    with time_machine.travel(moment, tick=False):
        scan()
    assert not ReminderClaim.objects.exists()

    monkeypatch.setattr(outbox, "render_notice", real)
    with time_machine.travel(moment + SECOND, tick=False):
        scan()
    assert ReminderClaim.objects.filter(offset_days=7).exists()
