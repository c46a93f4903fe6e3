"""The commission's recommendation (by the chair) and the operator's decision
(by an official) are separate records; `competition_decide` applies the
decisions to the applications and closes the review."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from applications.rules import pln
from competitions.models import Competition
from competitions.permissions import can_manage
from core.errors import NotPermitted, RuleViolation, WrongState
from core.notify import send_notice
from core.transitions import perform_transition, write_audit
from payouts.models import Grant
from payouts.services import grant_create, grants_create_for_competition

from ..funding import Candidate, FundingProposal, Outcome, funding_line
from ..models import Decision, Recommendation
from ..permissions import can_chair
from ..results import Results, competition_results
from .common import (
    is_conflicted,
    lock_competition,
    locked_settings,
    require,
    require_in_review,
    require_scoring_closed,
)

CENT = Decimal("0.01")
TRANSITION_FOR = {
    Decision.Outcome.AWARDED: "award",
    Decision.Outcome.RESERVE: "put_on_reserve",
    Decision.Outcome.REJECTED: "reject",
}


def proposal_from(results: Results) -> FundingProposal:
    """The funding line over the applications still in review, in rank order;
    a withdrawn or already decided application takes no money from it."""
    competition = results.competition
    return funding_line(
        (
            Candidate(row.application_id, row.amount_requested, row.passes_threshold)
            for row in results.rows
            if row.status == Application.Status.IN_REVIEW
        ),
        budget=competition.budget_total,
        allow_partial=competition.allow_partial_award,
        grant_min=competition.grant_min,
    )


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError, TypeError):
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(CENT):
        raise RuleViolation(errors={field: [_("Give an amount in złoty and grosze.")]})
    return amount.quantize(CENT)


def _locked_application(application: Application, competition: Competition) -> Application:
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("competition", "competition__operator", "group")
        .get(pk=application.pk)
    )
    if application.competition_id != competition.pk:
        raise RuleViolation(_("This application belongs to another competition."))
    if application.status != Application.Status.IN_REVIEW:
        raise WrongState(
            _("Only an application in review is decided on (this one is “%(status)s”).")
            % {"status": application.get_status_display()}
        )
    return application


def _guard(competition: Competition) -> None:
    require_in_review(competition)
    require_scoring_closed(locked_settings(competition))


@transaction.atomic
def recommendation_record(
    *, application: Application, actor, amount, comment: str = ""
) -> Recommendation:
    """The chair records the commission's recommendation: an amount (zero: not
    recommended) and a comment."""
    competition = lock_competition(application.competition)
    require(can_chair(actor, competition))
    _guard(competition)
    application = _locked_application(application, competition)
    seat = actor.commission_memberships.filter(competition=competition).first()
    if seat is not None and is_conflicted(seat, application):
        raise NotPermitted(
            _("You have a conflict with this application; another member records it.")
        )
    amount = _money(amount, "amount")
    if amount < 0 or amount > (application.amount_requested or 0):
        raise RuleViolation(
            errors={
                "amount": [
                    _("Recommend between 0 and the amount requested (%(requested)s).")
                    % {"requested": pln(application.amount_requested or 0)}
                ]
            }
        )
    if 0 < amount < competition.grant_min:
        raise RuleViolation(
            errors={
                "amount": [_("A grant is at least %(min)s.") % {"min": pln(competition.grant_min)}]
            }
        )
    recommendation, _created = Recommendation.objects.update_or_create(
        application=application,
        defaults={
            "amount": amount,
            "comment": (comment or "").strip(),
            "recorded_by": actor,
            "recorded_at": timezone.now(),
        },
    )
    write_audit(
        application,
        transition="recommendation_record",
        actor=actor,
        comment=recommendation.comment,
        payload={"amount": amount},
    )
    return recommendation


@transaction.atomic
def recommendations_from_proposal(*, competition: Competition, actor) -> list[Recommendation]:
    """The chair adopts the funding line as the commission's recommendation;
    single amounts can be changed afterwards."""
    competition = lock_competition(competition)
    require(can_chair(actor, competition))
    _guard(competition)
    proposal = proposal_from(competition_results(competition))
    applications = {
        a.pk: a
        for a in Application.objects.filter(
            pk__in=[line.application_id for line in proposal.lines]
        ).select_related("competition")
    }
    # A chair conflicted with an application records nothing on it; the
    # others are adopted rather than the whole adoption failing.
    from ..selectors import conflicted_application_ids  # the selectors import this module

    conflicted = conflicted_application_ids(actor, competition)
    return [
        recommendation_record(
            application=applications[line.application_id],
            actor=actor,
            amount=line.amount or Decimal("0.00"),
            comment=_outcome_comment(line.outcome),
        )
        for line in proposal.lines
        if line.application_id not in conflicted
    ]


def _outcome_comment(outcome: str) -> str:
    return {
        Outcome.FUNDED: _("Funded at the amount requested."),
        Outcome.PARTIAL: _("Funded partially: the rest of the budget."),
        Outcome.RESERVE: _("Above the threshold; the budget ran out (reserve list)."),
        Outcome.REJECTED: _("Below the threshold."),
    }[outcome]


@transaction.atomic
def decision_record(
    *, application: Application, actor, outcome: str, amount=None, reason: str = ""
) -> Decision:
    """An official records the operator's decision on one application; it is
    applied when the competition is decided. Totals over the budget are allowed
    while adjusting, and refused by `competition_decide`."""
    competition = lock_competition(application.competition)
    require(can_manage(actor, competition))
    _guard(competition)
    application = _locked_application(application, competition)
    reason = (reason or "").strip()
    if outcome not in Decision.Outcome.values:
        raise RuleViolation(errors={"outcome": [_("Choose a decision.")]})
    if outcome == Decision.Outcome.AWARDED:
        if amount in (None, ""):
            raise RuleViolation(errors={"amount": [_("Give the amount awarded.")]})
        amount = _money(amount, "amount")
        requested = application.amount_requested or Decimal("0")
        if not competition.grant_min <= amount <= requested:
            raise RuleViolation(
                errors={
                    "amount": [
                        _("Award between %(min)s and the amount requested (%(requested)s).")
                        % {"min": pln(competition.grant_min), "requested": pln(requested)}
                    ]
                }
            )
    else:
        amount = None
    if outcome == Decision.Outcome.REJECTED and not reason:
        raise RuleViolation(errors={"reason": [_("Give the reason for not funding.")]})
    decision, _created = Decision.objects.update_or_create(
        application=application,
        defaults={
            "outcome": outcome,
            "amount": amount,
            "reason": reason,
            "decided_by": actor,
            "decided_at": timezone.now(),
        },
    )
    write_audit(
        application,
        transition="decision_record",
        actor=actor,
        comment=reason,
        payload={"outcome": outcome, "amount": amount},
    )
    return decision


@transaction.atomic
def decisions_from_proposal(
    *, competition: Competition, actor, overwrite: bool = False
) -> list[Decision]:
    """Fill the decisions from the funding line (every application, or only
    the undecided ones); the official adjusts them afterwards."""
    competition = lock_competition(competition)
    require(can_manage(actor, competition))
    _guard(competition)
    proposal = proposal_from(competition_results(competition))
    decided = set(
        Decision.objects.filter(application__competition=competition).values_list(
            "application_id", flat=True
        )
    )
    applications = {
        a.pk: a
        for a in Application.objects.filter(
            pk__in=[line.application_id for line in proposal.lines]
        ).select_related("competition")
    }
    outcome_of = {
        Outcome.FUNDED: Decision.Outcome.AWARDED,
        Outcome.PARTIAL: Decision.Outcome.AWARDED,
        Outcome.RESERVE: Decision.Outcome.RESERVE,
        Outcome.REJECTED: Decision.Outcome.REJECTED,
    }
    return [
        decision_record(
            application=applications[line.application_id],
            actor=actor,
            outcome=outcome_of[line.outcome],
            amount=line.amount,
            reason=_outcome_comment(line.outcome) if line.outcome == Outcome.REJECTED else "",
        )
        for line in proposal.lines
        if overwrite or line.application_id not in decided
    ]


@transaction.atomic
def competition_decide(*, competition: Competition, actor, comment: str = "") -> Competition:
    """Apply every decision to its application (award, reserve list, not
    funded), then mark the competition decided. Refused while an application
    in review is undecided or when the awards exceed the budget by anything,
    one grosz included."""
    competition = lock_competition(competition)
    require(can_manage(actor, competition))
    if competition.status != Competition.Status.IN_REVIEW:
        raise WrongState(
            _("Only a competition in review can be decided (now: “%(status)s”).")
            % {"status": competition.get_status_display()}
        )
    require_scoring_closed(locked_settings(competition))
    applications = list(
        Application.objects.select_for_update(of=("self",))
        .select_related("competition", "competition__operator", "group", "decision")
        .prefetch_related("group__members")
        .filter(competition=competition, status=Application.Status.IN_REVIEW)
        .order_by("sequence", "pk")
    )
    undecided = [a.number for a in applications if not hasattr(a, "decision")]
    if undecided:
        raise RuleViolation(
            errors={
                "decisions": [
                    _("Record a decision on every application first; missing: %(numbers)s.")
                    % {"numbers": ", ".join(undecided)}
                ]
            }
        )
    awarded = sum(
        (a.decision.amount for a in applications if a.decision.outcome == Decision.Outcome.AWARDED),
        Decimal("0.00"),
    )
    if awarded > competition.budget_total:
        raise RuleViolation(
            errors={
                "budget": [
                    _(
                        "The awards add up to %(total)s, %(over)s more than the budget of "
                        "%(budget)s."
                    )
                    % {
                        "total": pln(awarded),
                        "over": pln(awarded - competition.budget_total),
                        "budget": pln(competition.budget_total),
                    }
                ]
            }
        )
    now = timezone.now()
    counts = {outcome: 0 for outcome in Decision.Outcome.values}
    for application in applications:
        decision = application.decision
        application.updated_at = now
        perform_transition(
            application,
            TRANSITION_FOR[decision.outcome],
            actor=actor,
            comment=decision.reason,
            payload={"decision": decision.pk, "amount": decision.amount},
        )
        decision.applied_at = now
        decision.save(update_fields=["applied_at"])
        counts[decision.outcome] += 1
    perform_transition(
        competition,
        "decide",
        actor=actor,
        comment=comment,
        payload={"awarded_total": awarded, "counts": counts},
    )
    # The grants take the amounts from the decisions themselves, in this same
    # transaction, so a grant can never disagree with the decision behind it.
    grants_create_for_competition(
        competition=competition,
        awards={
            a.pk: a.decision.amount
            for a in applications
            if a.decision.outcome == Decision.Outcome.AWARDED
        },
        actor=actor,
    )
    notices = [
        ([m for m in a.group.members.all() if m.is_active], a, a.decision) for a in applications
    ]

    def send():
        for recipients, application, decision in notices:
            send_notice(
                recipients=recipients,
                template="application_decided",
                context={"application": application, "decision": decision},
            )

    # Written to the outbox in this transaction: it commits with the change.
    send()
    return competition


@transaction.atomic
def award_from_reserve(
    *, application: Application, actor, amount, comment: str = ""
) -> Application:
    """After the decision, fund an application from the reserve list with the
    money a declined grant left: the decision is amended, the application
    awarded and its grant opened, all or nothing."""
    competition = lock_competition(application.competition)
    require(can_manage(actor, competition))
    if competition.status != Competition.Status.DECIDED:
        raise WrongState(_("The reserve list is used only after the competition is decided."))
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("competition", "competition__operator", "group")
        .get(pk=application.pk, competition=competition)
    )
    if application.status != Application.Status.RESERVE:
        raise WrongState(
            _("Only an application on the reserve list can be awarded now (status: “%(status)s”).")
            % {"status": application.get_status_display()}
        )
    amount = _money(amount, "amount")
    requested = application.amount_requested or Decimal("0")
    if not competition.grant_min <= amount <= requested:
        raise RuleViolation(
            errors={
                "amount": [
                    _("Award between %(min)s and the amount requested (%(requested)s).")
                    % {"min": pln(competition.grant_min), "requested": pln(requested)}
                ]
            }
        )
    # Money stays committed to every grant that was not declined.
    committed = Grant.objects.filter(competition=competition).exclude(
        status=Grant.Status.DECLINED
    ).aggregate(total=Sum("amount_awarded"))["total"] or Decimal("0.00")
    available = competition.budget_total - committed
    if amount > available:
        raise RuleViolation(
            errors={
                "amount": [
                    _("Only %(available)s of the budget is free.") % {"available": pln(available)}
                ]
            }
        )
    now = timezone.now()
    Decision.objects.update_or_create(
        application=application,
        defaults={
            "outcome": Decision.Outcome.AWARDED,
            "amount": amount,
            "reason": comment.strip(),
            "decided_by": actor,
            "decided_at": now,
            "applied_at": now,
        },
    )
    application.updated_at = now
    perform_transition(
        application,
        "award_from_reserve",
        actor=actor,
        comment=comment,
        payload={"amount": amount},
    )
    grant_create(application=application, amount_awarded=amount, actor=actor)
    decision = Decision.objects.get(application=application)
    send_notice(
        recipients=[m for m in application.group.members.all() if m.is_active],
        template="application_decided",
        context={"application": application, "decision": decision},
    )
    return application
