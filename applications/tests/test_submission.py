from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from applications.models import Application, BudgetLine
from applications.rules import submission_problems
from applications.selectors import application_detail, application_history
from applications.services import application_submit, application_withdraw
from core.errors import NotPermitted, RuleViolation, WrongState
from tests import factories as f

WARSAW = ZoneInfo("Europe/Warsaw")


def test_ready_application_has_no_problems(application):
    assert submission_problems(application) == []


def test_submit_assigns_number_snapshot_and_audit(application, owner):
    submitted = application_submit(application=application, actor=owner)

    assert submitted.status == Application.Status.SUBMITTED
    assert submitted.number == "DL/2026/001"
    snapshot = submitted.snapshots.get()
    assert snapshot.version == 1
    assert snapshot.data["title"] == application.title
    assert Decimal(snapshot.data["amount_requested"]) == Decimal("4000.00")
    entry = application_history(submitted).get()
    assert (entry.transition, entry.from_state, entry.to_state) == ("submit", "draft", "submitted")
    assert entry.actor == owner


def test_numbers_follow_in_order_within_a_competition(competition, owner, group):
    numbers = []
    for _ in range(3):
        app = f.ready_application(competition=competition, group=group)
        numbers.append(application_submit(application=app, actor=owner).number)
    assert numbers == ["DL/2026/001", "DL/2026/002", "DL/2026/003"]


def test_problems_are_listed_all_at_once(competition, group, owner):
    app = f.ApplicationFactory(competition=competition, group=group, title="")

    with pytest.raises(RuleViolation) as caught:
        application_submit(application=app, actor=owner)

    fields = set(caught.value.errors)
    assert {
        "title",
        "summary",
        "description",
        "target_group",
        "start_date",
        "amount_requested",
        "budget_lines",
        "schedule_items",
        "indicators",
    } <= fields
    app.refresh_from_db()
    assert app.status == Application.Status.DRAFT
    assert app.number == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount_requested": Decimal("999.99")}, "amount_requested"),
        ({"amount_requested": Decimal("6000.01")}, "amount_requested"),
    ],
)
def test_amount_outside_min_max_blocks(application, owner, changes, field):
    for name, value in changes.items():
        setattr(application, name, value)
    application.save()
    problems = {p.field for p in submission_problems(application)}
    assert field in problems


def test_dates_outside_window_block(application, competition):
    application.end_date = competition.implementation_end + timedelta(days=1)
    application.save()
    assert "start_date" in {p.field for p in submission_problems(application)}


def test_own_contribution_and_admin_limits(application):
    line = application.budget_lines.get(name="Sadzonki i ziemia")
    # Own financial 400 of 4,000 = 10% (needs 5%), whole own 1,200 = 30% (needs 25%).
    assert submission_problems(application) == []
    line.own_financial = Decimal("100.00")
    line.unit_cost = Decimal("3800.00")
    line.save()
    fields = {p.field for p in submission_problems(application)}
    assert "own_contribution" in fields  # 900 / 4000 = 22.5%
    admin = application.budget_lines.get(category=BudgetLine.Category.ADMINISTRATIVE)
    admin.grant_amount = admin.unit_cost = Decimal("500.00")
    admin.save()
    assert "administrative" in {p.field for p in submission_problems(application)}


def test_sources_must_add_up_to_the_line_cost(application):
    line = application.budget_lines.first()
    line.grant_amount += Decimal("0.01")
    line.save()
    fields = {p.field for p in submission_problems(application)}
    assert f"budget_lines.{line.pk}" in fields
    assert "amount_requested" in fields


def test_informal_group_needs_three_adults_and_patron(competition, db):
    member = f.MembershipFactory(group__kind="informal", group__krs="", group__patron_name="")
    app = f.ready_application(competition=competition, group=member.group)
    f.InformalMemberFactory(group=member.group)
    f.InformalMemberFactory(group=member.group, is_adult=False)
    fields = {p.field for p in submission_problems(app)}
    assert {"informal_members", "patron_name"} <= fields


class TestDeadline:
    def test_one_second_before_is_accepted(self, application, owner, competition):
        with time_machine.travel(
            competition.submission_deadline - timedelta(seconds=1), tick=False
        ):
            assert application_submit(application=application, actor=owner).number

    def test_at_the_deadline_is_refused_with_warsaw_time(self, application, owner, competition):
        competition.submission_deadline = datetime(2027, 1, 15, 15, 0, tzinfo=WARSAW)
        competition.save()
        with time_machine.travel(competition.submission_deadline, tick=False):
            with pytest.raises(RuleViolation) as caught:
                application_submit(application=application, actor=owner)
        assert (
            "15.01.2027" in caught.value.messages[0]
            or "15 stycznia 2027" in caught.value.messages[0]
        )
        assert "15:00" in caught.value.messages[0]
        application.refresh_from_db()
        assert application.status == Application.Status.DRAFT

    def test_after_the_deadline_is_refused(self, application, owner, competition):
        with time_machine.travel(
            competition.submission_deadline + timedelta(seconds=1), tick=False
        ):
            with pytest.raises(RuleViolation):
                application_submit(application=application, actor=owner)

    def test_deadline_across_the_autumn_dst_change(self, application, owner, competition):
        # 2026-10-25: clocks go back at 03:00 CEST to 02:00 CET. A deadline of
        # 12:00 Warsaw time that day is 11:00 UTC, not 10:00.
        deadline = datetime(2026, 10, 25, 12, 0, tzinfo=WARSAW)
        assert deadline.astimezone(ZoneInfo("UTC")).hour == 11
        competition.submission_deadline = deadline
        competition.save()
        with time_machine.travel(
            datetime(2026, 10, 25, 10, 59, 59, tzinfo=ZoneInfo("UTC")), tick=False
        ):
            assert application_submit(application=application, actor=owner).status == "submitted"
        late = f.ready_application(competition=competition, group=application.group)
        with time_machine.travel(datetime(2026, 10, 25, 11, 0, tzinfo=ZoneInfo("UTC")), tick=False):
            with pytest.raises(RuleViolation):
                application_submit(application=late, actor=owner)

    def test_deadline_across_the_spring_dst_change(self, application, owner, competition):
        deadline = datetime(2027, 3, 28, 12, 0, tzinfo=WARSAW)  # CEST from 02:00 that night
        assert deadline.astimezone(ZoneInfo("UTC")).hour == 10
        competition.submission_deadline = deadline
        competition.save()
        with time_machine.travel(deadline - timedelta(seconds=1), tick=False):
            assert application_submit(application=application, actor=owner).status == "submitted"


def test_outsider_and_official_cannot_submit(application, outsider, official):
    for actor in (outsider, official):
        with pytest.raises(NotPermitted):
            application_submit(application=application, actor=actor)


def test_second_submit_is_wrong_state_and_changes_nothing(application, owner):
    application_submit(application=application, actor=owner)
    with pytest.raises(WrongState):
        application_submit(application=application, actor=owner)
    application.refresh_from_db()
    assert application.snapshots.count() == 1
    assert application_history(application).count() == 1


def test_withdraw_before_decision(application, owner, editor):
    application_submit(application=application, actor=owner)
    withdrawn = application_withdraw(application=application, actor=editor, comment="Rezygnujemy")
    assert withdrawn.status == Application.Status.WITHDRAWN
    with pytest.raises(WrongState):
        application_withdraw(application=withdrawn, actor=owner)


def test_selector_hides_other_groups_and_drafts_from_officials(
    application, other_group_owner, official
):
    from django.http import Http404

    with pytest.raises(Http404):
        application_detail(other_group_owner, application.pk)
    with pytest.raises(Http404):
        application_detail(official, application.pk)  # a draft is the group's own business
    application_submit(application=application, actor=application.created_by)
    assert application_detail(official, application.pk).pk == application.pk


def test_shares_are_compared_unrounded(application):
    """Own 999.99 of a 4,000.00 grant is 24.99975%: it would show as 25.00%,
    yet it is below a 25% rule (and 199.99 below the 5% financial rule)."""
    line = application.budget_lines.get(name="Sadzonki i ziemia")
    line.own_financial = Decimal("199.99")
    line.unit_cost = Decimal("3899.99")
    line.save()
    fields = {p.field for p in submission_problems(application)}
    assert {"own_contribution", "own_financial"} <= fields
    line.own_financial = Decimal("200.00")
    line.unit_cost = Decimal("3900.00")
    line.save()
    fields = {p.field for p in submission_problems(application)}
    assert not {"own_contribution", "own_financial"} & fields
