"""What stands between an application and its submission.

`submission_problems` lists every problem at once, so the applicant can fix
them in one pass; each names the section of the form it belongs to. The same
list guards `application_submit`, so the page and the API never disagree.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import ApplicantGroup, Application, FormQuestion, money

HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Problem:
    section: str  # basic, description, target_group, schedule, results, budget, questions, attachments, group, deadline
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"section": self.section, "field": self.field, "message": self.message}


def pln(amount: Decimal) -> str:
    return _("%(amount)s PLN") % {
        "amount": formats.number_format(money(amount), 2, use_l10n=True, force_grouping=True)
    }


def warsaw(moment) -> str:
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return formats.date_format(local, "DATETIME_FORMAT") + " (" + local.tzname() + ")"


def deadline_problem(application: Application, now=None) -> Problem | None:
    competition = application.competition
    now = now or timezone.now()
    if application.status == Application.Status.NEEDS_CORRECTION:
        if competition.status == competition.Status.CANCELLED:
            return Problem("deadline", "correction_deadline", _("The competition was cancelled."))
        if application.correction_deadline and now >= application.correction_deadline:
            return Problem(
                "deadline",
                "correction_deadline",
                _(
                    "The correction deadline passed on %(deadline)s; corrections are no longer accepted."
                )
                % {"deadline": warsaw(application.correction_deadline)},
            )
        return None
    if competition.status != competition.Status.PUBLISHED or now >= competition.submission_deadline:
        return Problem(
            "deadline",
            "submission_deadline",
            _("Submissions closed on %(deadline)s; this application can no longer be submitted.")
            % {"deadline": warsaw(competition.submission_deadline)},
        )
    return None


def submission_problems(application: Application, *, now=None) -> list[Problem]:
    """Every rule the application breaks now. Expects the parts prefetched
    (`selectors.application_parts_prefetch()`), so it runs no query per line."""
    competition = application.competition
    problems: list[Problem] = []
    add = problems.append

    late = deadline_problem(application, now)
    if late:
        add(late)

    required = [
        ("basic", "title", _("Give the project a title.")),
        ("basic", "summary", _("Write a short summary of the project.")),
        ("basic", "place", _("Say where the project takes place.")),
        ("description", "description", _("Describe the project.")),
        ("target_group", "target_group", _("Describe who the project is for.")),
    ]
    for section, field, message in required:
        if not (getattr(application, field) or "").strip():
            add(Problem(section, field, message))
    if not application.target_group_size:
        add(Problem("target_group", "target_group_size", _("Give the number of participants.")))

    start, end = application.start_date, application.end_date
    if not start or not end:
        add(Problem("basic", "start_date", _("Give the project's start and end dates.")))
    else:
        window = (
            formats.date_format(competition.implementation_start, "SHORT_DATE_FORMAT"),
            formats.date_format(competition.implementation_end, "SHORT_DATE_FORMAT"),
        )
        if start < competition.implementation_start or end > competition.implementation_end:
            add(
                Problem(
                    "basic",
                    "start_date",
                    _("The project must take place between %(start)s and %(end)s.")
                    % {"start": window[0], "end": window[1]},
                )
            )
        if start > end:
            add(Problem("basic", "end_date", _("The project cannot end before it starts.")))
        elif competition.max_project_days and (end - start).days + 1 > competition.max_project_days:
            add(
                Problem(
                    "basic",
                    "end_date",
                    _("The project may last at most %(days)s days.")
                    % {"days": competition.max_project_days},
                )
            )

    requested = application.amount_requested
    if requested is None:
        add(Problem("budget", "amount_requested", _("Give the amount requested.")))
    elif not competition.grant_min <= requested <= competition.grant_max:
        add(
            Problem(
                "budget",
                "amount_requested",
                _("The amount requested must be between %(min)s and %(max)s.")
                % {"min": pln(competition.grant_min), "max": pln(competition.grant_max)},
            )
        )

    problems.extend(_budget_problems(application, requested))
    problems.extend(_schedule_problems(application))
    if not application.indicators.all():
        add(Problem("results", "indicators", _("Plan at least one result with an indicator.")))
    problems.extend(_question_problems(application))
    problems.extend(group_problems(application.group))
    return problems


def budget_totals(lines) -> dict[str, Decimal]:
    totals = {
        "total": Decimal("0.00"),
        "grant": Decimal("0.00"),
        "own_financial": Decimal("0.00"),
        "own_non_financial": Decimal("0.00"),
        "administrative_grant": Decimal("0.00"),
    }
    for line in lines:
        totals["total"] += line.total
        totals["grant"] += line.grant_amount
        totals["own_financial"] += line.own_financial
        totals["own_non_financial"] += line.own_non_financial
        if line.category == line.Category.ADMINISTRATIVE:
            totals["administrative_grant"] += line.grant_amount
    totals["own"] = totals["own_financial"] + totals["own_non_financial"]
    grant = totals["grant"]
    totals["own_share_pct"] = money(totals["own"] * HUNDRED / grant) if grant else Decimal("0.00")
    totals["own_financial_share_pct"] = (
        money(totals["own_financial"] * HUNDRED / grant) if grant else Decimal("0.00")
    )
    totals["administrative_share_pct"] = (
        money(totals["administrative_grant"] * HUNDRED / grant) if grant else Decimal("0.00")
    )
    return totals


def _budget_problems(application: Application, requested) -> list[Problem]:
    competition = application.competition
    lines = list(application.budget_lines.all())
    if not lines:
        return [Problem("budget", "budget_lines", _("Add at least one budget line."))]
    problems = []
    for index, line in enumerate(lines, start=1):
        if line.sources_total != line.total:
            problems.append(
                Problem(
                    "budget",
                    f"budget_lines.{line.pk}",
                    _(
                        "Line %(n)s (“%(name)s”): the sources add up to %(sources)s, "
                        "but the cost is %(total)s."
                    )
                    % {
                        "n": index,
                        "name": line.name,
                        "sources": pln(line.sources_total),
                        "total": pln(line.total),
                    },
                )
            )
        rate = competition.volunteer_hour_rate
        if line.is_volunteer_work and rate is not None and line.unit_cost > rate:
            problems.append(
                Problem(
                    "budget",
                    f"budget_lines.{line.pk}",
                    _("Line %(n)s: an hour of volunteer work may be valued at most %(rate)s.")
                    % {"n": index, "rate": pln(rate)},
                )
            )
    totals = budget_totals(lines)
    if requested is not None and totals["grant"] != money(requested):
        problems.append(
            Problem(
                "budget",
                "amount_requested",
                _(
                    "The grant parts of the budget add up to %(grant)s, but the amount requested is "
                    "%(requested)s."
                )
                % {"grant": pln(totals["grant"]), "requested": pln(requested)},
            )
        )
    grant = totals["grant"]
    if grant:
        # Compared unrounded: 24.995% must not pass a 25% rule by rounding.
        if totals["own"] * HUNDRED < competition.own_contribution_min_pct * grant:
            problems.append(
                Problem(
                    "budget",
                    "own_contribution",
                    _(
                        "The own contribution is %(share)s%% of the grant; at least %(min)s%% is required."
                    )
                    % {
                        "share": totals["own_share_pct"],
                        "min": competition.own_contribution_min_pct,
                    },
                )
            )
        if totals["own_financial"] * HUNDRED < competition.own_financial_min_pct * grant:
            problems.append(
                Problem(
                    "budget",
                    "own_financial",
                    _(
                        "The financial own contribution is %(share)s%% of the grant; at least %(min)s%% "
                        "is required."
                    )
                    % {
                        "share": totals["own_financial_share_pct"],
                        "min": competition.own_financial_min_pct,
                    },
                )
            )
        if totals["administrative_grant"] * HUNDRED > competition.admin_costs_max_pct * grant:
            problems.append(
                Problem(
                    "budget",
                    "administrative",
                    _(
                        "Administrative costs take %(share)s%% of the grant; at most %(max)s%% is allowed."
                    )
                    % {
                        "share": totals["administrative_share_pct"],
                        "max": competition.admin_costs_max_pct,
                    },
                )
            )
    return problems


def _schedule_problems(application: Application) -> list[Problem]:
    items = list(application.schedule_items.all())
    if not items:
        return [
            Problem("schedule", "schedule_items", _("Plan at least one action in the schedule."))
        ]
    problems = []
    start, end = application.start_date, application.end_date
    if start and end:
        for item in items:
            if item.start_date < start or item.end_date > end:
                problems.append(
                    Problem(
                        "schedule",
                        f"schedule_items.{item.pk}",
                        _("The action “%(action)s” falls outside the project's dates.")
                        % {"action": item.action},
                    )
                )
    return problems


def _question_problems(application: Application) -> list[Problem]:
    answers = {a.question_id: a.value for a in application.answers.all()}
    files = {a.question_id for a in application.attachments.all() if a.question_id}
    problems = []
    for question in application.competition.questions.all():
        if question.kind == FormQuestion.Kind.FILE:
            answered = question.pk in files
        else:
            value = answers.get(question.pk)
            answered = value not in (None, "", [])
        if question.required and not answered:
            section = "attachments" if question.kind == FormQuestion.Kind.FILE else "questions"
            problems.append(
                Problem(
                    section,
                    f"questions.{question.pk}",
                    _("Answer the required question: “%(question)s”.")
                    % {"question": question.label},
                )
            )
    return problems


def group_problems(group: ApplicantGroup) -> list[Problem]:
    problems = []
    if group.kind == ApplicantGroup.Kind.INFORMAL:
        adults = sum(1 for m in group.informal_members.all() if m.is_adult)
        if adults < 3:
            problems.append(
                Problem(
                    "group",
                    "informal_members",
                    _("An informal group needs at least 3 adult members; yours lists %(n)s.")
                    % {"n": adults},
                )
            )
        if not group.patron_name.strip():
            problems.append(
                Problem("group", "patron_name", _("An informal group needs a patron organisation."))
            )
    elif group.kind == ApplicantGroup.Kind.NGO and not group.krs:
        problems.append(
            Problem("group", "krs", _("A registered organisation must give its KRS number."))
        )
    return problems
