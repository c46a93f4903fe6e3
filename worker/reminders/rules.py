"""The reminder rules: what each one looks for, how it re-checks the object
under a lock, who receives it and what the e-mail says."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q

from applications.models import Application
from competitions.models import Competition
from core.models import User
from payouts.models import Grant, Report

from ..links import absolute
from ..models import ReminderClaim
from .timing import HORIZON, end_of_day, overdue_time, settings_of, stage, warsaw_today

CHECKING_STATES = (Competition.Status.PUBLISHED, Competition.Status.CLOSED)
PARTIAL_REPORT_STATES = (Grant.Status.SIGNED, Grant.Status.IN_PROGRESS, Grant.Status.REPORTING)
FINAL_REPORT_STATES = (Grant.Status.IN_PROGRESS, Grant.Status.REPORTING)


# Who


def active_members_prefetch(path: str) -> Prefetch:
    return Prefetch(path, queryset=User.objects.filter(is_active=True), to_attr="active_members")


def group_members(group) -> list[User]:
    prefetched = getattr(group, "active_members", None)
    if prefetched is not None:
        return list(prefetched)
    return list(group.members.filter(is_active=True).order_by("pk"))


def officials_of(competition: Competition) -> list[User]:
    return list(
        User.objects.filter(
            staff_memberships__operator_id=competition.operator_id, is_active=True
        ).distinct()
    )


# The rules


@dataclass(frozen=True)
class Due:
    obj: models.Model
    competition: Competition
    deadline: datetime
    # Days before the deadline; 0 for a notice after it.
    offset: int
    due_date: date | None = None


class Rule:
    kind: str
    template: str
    model: type[models.Model]
    # A reminder people may turn off; False for notices the law or the
    # contract requires, which are always e-mailed.
    optional = True

    def candidates(self, now: datetime) -> Iterator[Due]:
        raise NotImplementedError

    def lock(self, due: Due, now: datetime) -> models.Model | None:
        """Inside a transaction: the object re-read under a row lock, or None
        when the reminder no longer applies (moved on, deadline changed)."""
        raise NotImplementedError

    def recipients(self, obj) -> list[User]:
        raise NotImplementedError

    def context(self, obj, due: Due) -> dict:
        raise NotImplementedError

    def link(self, obj) -> str:
        raise NotImplementedError


def locked(queryset, pk):
    return queryset.select_for_update(of=("self",)).filter(pk=pk).first()


class ApplicationRule(Rule):
    model = Application

    def _queryset(self):
        return Application.objects.select_related(
            "competition", "competition__reminder_settings", "group"
        )

    def recipients(self, obj):
        return group_members(obj.group)

    def context(self, obj, due):
        return {"application": obj, "deadline": due.deadline, "link": self.link(obj)}


class DraftDue(ApplicationRule):
    kind = ReminderClaim.Kind.DRAFT_DUE
    template = "reminder_draft_due"

    def link(self, obj):
        return absolute("application-edit", obj.pk)

    def candidates(self, now):
        drafts = (
            self._queryset()
            .filter(
                status=Application.Status.DRAFT,
                competition__status=Competition.Status.PUBLISHED,
                competition__submission_deadline__gt=now,
                competition__submission_deadline__lte=now + HORIZON,
            )
            .prefetch_related(active_members_prefetch("group__members"))
        )
        for application in drafts:
            competition = application.competition
            deadline = competition.submission_deadline
            offset = stage(deadline, settings_of(competition).draft_days, now)
            if offset is not None:
                yield Due(application, competition, deadline, offset)

    def lock(self, due, now):
        application = locked(self._queryset(), due.obj.pk)
        if (
            application is not None
            and application.status == Application.Status.DRAFT
            and application.competition.status == Competition.Status.PUBLISHED
            and application.competition.submission_deadline == due.deadline
            and now < due.deadline
        ):
            return application
        return None


class CorrectionDue(ApplicationRule):
    kind = ReminderClaim.Kind.CORRECTION_DUE
    template = "reminder_correction_due"

    def link(self, obj):
        return absolute("application-formal-findings", obj.pk)

    def candidates(self, now):
        waiting = (
            self._queryset()
            .filter(
                status=Application.Status.NEEDS_CORRECTION,
                competition__status__in=CHECKING_STATES,
                correction_deadline__gt=now,
                correction_deadline__lte=now + HORIZON,
            )
            .prefetch_related(active_members_prefetch("group__members"))
        )
        for application in waiting:
            deadline = application.correction_deadline
            offset = stage(deadline, settings_of(application.competition).correction_days, now)
            if offset is not None:
                yield Due(application, application.competition, deadline, offset)

    def lock(self, due, now):
        application = locked(self._queryset(), due.obj.pk)
        if (
            application is not None
            and application.status == Application.Status.NEEDS_CORRECTION
            and application.competition.status in CHECKING_STATES
            and application.correction_deadline == due.deadline
            and now < due.deadline
        ):
            return application
        return None


class GrantRule(Rule):
    model = Grant

    def _queryset(self):
        return Grant.objects.select_related(
            "competition",
            "competition__operator",
            "competition__reminder_settings",
            "group",
            "application",
        )

    def recipients(self, obj):
        return group_members(obj.group)

    def link(self, obj):
        return absolute("grant-detail", obj.pk)

    def context(self, obj, due):
        return {
            "grant": obj,
            "deadline": due.deadline,
            "due_date": due.due_date,
            "link": self.link(obj),
        }


class BudgetUpdateDue(GrantRule):
    kind = ReminderClaim.Kind.BUDGET_UPDATE_DUE
    template = "reminder_budget_update_due"

    def link(self, obj):
        return absolute("grant-budget", obj.pk)

    def _pending(self):
        return Q(
            status=Grant.Status.PREPARING,
            budget_updated_at__isnull=True,
            amount_awarded__lt=F("amount_requested"),
        )

    def candidates(self, now):
        grants = (
            self._queryset()
            .filter(
                self._pending(),
                budget_update_deadline__gt=now,
                budget_update_deadline__lte=now + HORIZON,
            )
            .prefetch_related(active_members_prefetch("group__members"))
        )
        for grant in grants:
            deadline = grant.budget_update_deadline
            offset = stage(deadline, settings_of(grant.competition).budget_update_days, now)
            if offset is not None:
                yield Due(grant, grant.competition, deadline, offset)

    def lock(self, due, now):
        grant = locked(self._queryset(), due.obj.pk)
        if (
            grant is not None
            and grant.status == Grant.Status.PREPARING
            and grant.budget_update_pending
            and grant.budget_update_deadline == due.deadline
            and now < due.deadline
        ):
            return grant
        return None


class BudgetUpdateLapsed(GrantRule):
    """The officials are told that a reduced award's budget was not updated in
    time; they decide whether the grant is declined. (With the competition's
    `decline_lapsed_budget_update` on, the deadline job declines it instead.)"""

    kind = ReminderClaim.Kind.BUDGET_UPDATE_LAPSED
    template = "budget_update_lapsed"
    optional = False

    def __init__(self, grants: Iterable[Grant] = ()):
        self.grants = list(grants)

    def candidates(self, now):
        for grant in self.grants:
            yield Due(grant, grant.competition, grant.budget_update_deadline, 0)

    def lock(self, due, now):
        grant = locked(self._queryset(), due.obj.pk)
        if (
            grant is not None
            and grant.status == Grant.Status.PREPARING
            and grant.budget_update_pending
            and grant.budget_update_deadline == due.deadline
            and due.deadline <= now
        ):
            return grant
        return None

    def recipients(self, obj):
        return officials_of(obj.competition)


def _final_report_submitted():
    return Exists(
        Report.objects.filter(
            grant=OuterRef("pk"), kind=Report.Kind.FINAL, submitted_at__isnull=False
        )
    )


class FinalReportDue(GrantRule):
    """The final report, reminded of through the grant: the report itself
    exists only once someone opened it."""

    kind = ReminderClaim.Kind.REPORT_DUE
    template = "reminder_report_due"

    def _waiting(self, now):
        return (
            self._queryset()
            .filter(status__in=FINAL_REPORT_STATES)
            .exclude(_final_report_submitted())
            .prefetch_related(active_members_prefetch("group__members"))
        )

    def candidates(self, now):
        today = warsaw_today(now)
        grants = self._waiting(now).filter(
            final_report_due__gte=today, final_report_due__lte=today + HORIZON
        )
        for grant in grants:
            due_date = grant.final_report_due
            deadline = end_of_day(due_date)
            offset = stage(deadline, settings_of(grant.competition).report_days, now, due_date)
            if offset is not None:
                yield Due(grant, grant.competition, deadline, offset, due_date)

    def _still_waiting(self, grant, due):
        return (
            grant is not None
            and grant.status in FINAL_REPORT_STATES
            and grant.final_report_due == due.due_date
            and not grant.reports.filter(
                kind=Report.Kind.FINAL, submitted_at__isnull=False
            ).exists()
        )

    def lock(self, due, now):
        grant = locked(self._queryset(), due.obj.pk)
        if self._still_waiting(grant, due) and now < due.deadline:
            return grant
        return None

    def context(self, obj, due):
        return {**super().context(obj, due), "final": True}


class FinalReportOverdue(FinalReportDue):
    kind = ReminderClaim.Kind.REPORT_OVERDUE
    template = "report_overdue"
    optional = False

    def candidates(self, now):
        grants = self._waiting(now).filter(final_report_due__lt=warsaw_today(now))
        for grant in grants:
            due_date = grant.final_report_due
            if settings_of(grant.competition).report_overdue_notice and now >= overdue_time(
                due_date
            ):
                yield Due(grant, grant.competition, end_of_day(due_date), 0, due_date)

    def lock(self, due, now):
        grant = locked(self._queryset(), due.obj.pk)
        return grant if self._still_waiting(grant, due) else None

    def recipients(self, obj):
        return _unique(group_members(obj.group) + officials_of(obj.competition))


class PartialReportDue(Rule):
    kind = ReminderClaim.Kind.REPORT_DUE
    template = "reminder_report_due"
    model = Report

    def _queryset(self):
        return Report.objects.select_related(
            "grant",
            "grant__competition",
            "grant__competition__operator",
            "grant__competition__reminder_settings",
            "grant__group",
            "grant__application",
        )

    def _waiting(self):
        return (
            self._queryset()
            .filter(
                kind=Report.Kind.PARTIAL,
                status=Report.Status.DRAFT,
                grant__status__in=PARTIAL_REPORT_STATES,
            )
            .prefetch_related(active_members_prefetch("grant__group__members"))
        )

    def candidates(self, now):
        today = warsaw_today(now)
        for report in self._waiting().filter(due_date__gte=today, due_date__lte=today + HORIZON):
            competition = report.grant.competition
            deadline = end_of_day(report.due_date)
            offset = stage(deadline, settings_of(competition).report_days, now, report.due_date)
            if offset is not None:
                yield Due(report, competition, deadline, offset, report.due_date)

    def _lock_report(self, due):
        # The grant's lock first, as every payouts service takes it.
        Grant.objects.select_for_update().filter(pk=due.obj.grant_id).first()
        report = locked(self._queryset(), due.obj.pk)
        if (
            report is not None
            and report.status == Report.Status.DRAFT
            and report.grant.status in PARTIAL_REPORT_STATES
            and report.due_date == due.due_date
        ):
            return report
        return None

    def lock(self, due, now):
        report = self._lock_report(due)
        return report if report is not None and now < due.deadline else None

    def recipients(self, obj):
        return group_members(obj.grant.group)

    def link(self, obj):
        return absolute("report-detail", obj.pk)

    def context(self, obj, due):
        return {
            "grant": obj.grant,
            "report": obj,
            "final": False,
            "deadline": due.deadline,
            "due_date": due.due_date,
            "link": self.link(obj),
        }


class PartialReportOverdue(PartialReportDue):
    kind = ReminderClaim.Kind.REPORT_OVERDUE
    template = "report_overdue"
    optional = False

    def candidates(self, now):
        for report in self._waiting().filter(due_date__lt=warsaw_today(now)):
            competition = report.grant.competition
            if settings_of(competition).report_overdue_notice and now >= overdue_time(
                report.due_date
            ):
                yield Due(report, competition, end_of_day(report.due_date), 0, report.due_date)

    def lock(self, due, now):
        return self._lock_report(due)

    def recipients(self, obj):
        return _unique(group_members(obj.grant.group) + officials_of(obj.grant.competition))


class RefundDue(GrantRule):
    """Money to return: the settled refund still outstanding, or, before the
    settlement, whatever part of the grant was not spent."""

    kind = ReminderClaim.Kind.REFUND_DUE
    template = "reminder_refund_due"
    optional = False

    def candidates(self, now):
        today = warsaw_today(now)
        grants = (
            self._queryset()
            .filter(
                Q(refund_amount__isnull=True) | Q(refund_amount__gt=F("refund_paid")),
                status__in=Grant.REFUNDABLE,
                refund_due__gte=today,
                refund_due__lte=today + HORIZON,
            )
            .prefetch_related(active_members_prefetch("group__members"))
        )
        for grant in grants:
            deadline = end_of_day(grant.refund_due)
            offset = stage(
                deadline, settings_of(grant.competition).refund_days, now, grant.refund_due
            )
            if offset is not None:
                yield Due(grant, grant.competition, deadline, offset, grant.refund_due)

    def lock(self, due, now):
        grant = locked(self._queryset(), due.obj.pk)
        if (
            grant is not None
            and grant.status in Grant.REFUNDABLE
            and (grant.refund_amount is None or grant.refund_outstanding > 0)
            and grant.refund_due == due.due_date
            and now < due.deadline
        ):
            return grant
        return None


def _unique(users: list[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        seen.setdefault(user.pk, user)
    return list(seen.values())
