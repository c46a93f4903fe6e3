"""Following the scoring, closing it, the ranking, the commission's
recommendation and the operator's decisions.

The numbers come from `reviews.results` through the selectors; this module
only lays them out. The remaining budget on the decisions page is computed
by the server on every change (htmx), never in the browser.
"""

from collections import Counter
from decimal import Decimal
from itertools import pairwise

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from applications.models import Application
from applications.selectors import applications_visible_to
from competitions.models import Competition
from core.errors import NotPermitted, RuleViolation, WrongState
from core.roles import roles_for
from core.templatetags.grantownik import pct, warsaw
from core.views import apply_domain_errors, login_required

from .. import services
from ..forms import DecisionForm, ReasonForm, RecommendationForm
from ..funding import Outcome
from ..models import Decision, Recommendation, Review
from ..results import review_settings
from ..selectors import (
    competition_for,
    competition_ranking,
    decision_sheet,
    review_progress,
)
from .common import nav_context, refuse, require_official, review_for_supervisor

ZERO = Decimal("0.00")


def _not_open(request, competition, current: str, exc: WrongState):
    return render(
        request,
        "reviews/not_open.html",
        {**nav_context(request, competition, current), "reason": exc.messages[0]},
    )


# Progress.


@login_required
def progress(request, pk):
    """Who has scored what: statuses only, never points."""
    competition = competition_for(request.user, pk)
    rows = review_progress(request.user, competition)
    settings = review_settings(competition)
    official = roles_for(request.user).is_official_of(competition.operator_id)
    in_review = competition.status == Competition.Status.IN_REVIEW
    counts = Counter(row.status for row in rows)
    return render(
        request,
        "reviews/official/progress.html",
        {
            **nav_context(request, competition, "review-progress"),
            "rows": rows,
            "counts": [(label, counts.get(value, 0)) for value, label in Review.Status.choices],
            "settings": settings,
            "can_close": official and in_review and not settings.scoring_closed,
            "can_reopen_scoring": official and in_review and settings.scoring_closed,
            "reopen_form": ReasonForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_reopen(request, pk):
    review = review_for_supervisor(request.user, pk)
    competition = review.application.competition
    back = reverse("review-progress", args=[competition.pk])
    form = ReasonForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.review_reopen(
                    review=review, actor=request.user, comment=form.cleaned_data["comment"]
                )
            except RuleViolation as exc:
                apply_domain_errors(form, exc)
            except (WrongState, NotPermitted) as exc:
                return refuse(request, exc, back)
            else:
                messages.success(
                    request,
                    _("The review of %(number)s is open again for %(member)s.")
                    % {
                        "number": review.application.number,
                        "member": review.member.user.full_name,
                    },
                )
                return redirect(back)
        status = 422
    return render(
        request,
        "reviews/official/review_reopen.html",
        {**nav_context(request, competition, "review-progress"), "review": review, "form": form},
        status=status,
    )


@login_required
@require_POST
def scoring_close(request, pk):
    competition = competition_for(request.user, pk)
    require_official(request.user, competition)
    back = reverse("review-progress", args=[competition.pk])
    try:
        services.scoring_close(competition=competition, actor=request.user)
    except (RuleViolation, WrongState, NotPermitted) as exc:
        return refuse(request, exc, back)
    messages.success(
        request, _("Scoring is closed. The ranking and the scores are open to the commission.")
    )
    return redirect("ranking", pk=competition.pk)


@login_required
@require_POST
def scoring_reopen(request, pk):
    competition = competition_for(request.user, pk)
    require_official(request.user, competition)
    back = reverse("review-progress", args=[competition.pk])
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why scoring is opened again."))
        return redirect(back)
    try:
        services.scoring_reopen(
            competition=competition, actor=request.user, comment=form.cleaned_data["comment"]
        )
    except (RuleViolation, WrongState, NotPermitted) as exc:
        return refuse(request, exc, back)
    messages.success(request, _("Scoring is open again."))
    return redirect(back)


# The ranking.


def tie_notes(rows) -> dict[int, str]:
    """Application id → why it stands below the row above it with the same
    score: the tie-break, spelled out (own contribution share, then the
    earlier submission)."""
    notes = {}
    for above, row in pairwise(rows):
        if row.mean is None or row.mean != above.mean:
            continue
        if row.own_share_pct != above.own_share_pct:
            notes[row.application_id] = _(
                "Same score as %(number)s, which has the higher own contribution "
                "(%(above)s against %(this)s)."
            ) % {
                "number": above.number,
                "above": pct(above.own_share_pct),
                "this": pct(row.own_share_pct),
            }
        else:
            notes[row.application_id] = _(
                "Same score and own contribution as %(number)s, which was submitted "
                "earlier (%(above)s against %(this)s)."
            ) % {
                "number": above.number,
                "above": warsaw(above.submitted_at),
                "this": warsaw(row.submitted_at),
            }
    return notes


@login_required
def ranking(request, pk):
    competition = competition_for(request.user, pk)
    try:
        results = competition_ranking(request.user, competition)
    except WrongState as exc:
        return _not_open(request, competition, "ranking", exc)
    notes = tie_notes(results.rows)
    return render(
        request,
        "reviews/ranking.html",
        {
            **nav_context(request, competition, "ranking"),
            "results": results,
            "rows": [{"result": r, "tie": notes.get(r.application_id)} for r in results.rows],
        },
    )


# The commission's recommendation (the chair).


def _decidable(result) -> bool:
    return result.status == Application.Status.IN_REVIEW


@login_required
@require_http_methods(["GET", "POST"])
def recommendations(request, pk):
    competition = competition_for(request.user, pk)
    if not roles_for(request.user).is_chair_of(competition.pk):
        raise Http404
    try:
        results = competition_ranking(request.user, competition)
    except WrongState as exc:
        return _not_open(request, competition, "recommendations", exc)
    proposal = services.proposal_from(results)
    recorded = {
        r.application_id: r
        for r in Recommendation.objects.filter(application__competition=competition)
    }
    editable = competition.status == Competition.Status.IN_REVIEW
    data = request.POST if request.method == "POST" else None
    rows = []
    for result in results.rows:
        line = proposal.outcome_of(result.application_id)
        current = recorded.get(result.application_id)
        form = None
        if editable and _decidable(result):
            initial = (
                {"amount": current.amount, "comment": current.comment}
                if current
                else {"amount": (line.amount if line and line.amount else ZERO)}
            )
            form = RecommendationForm(data, prefix=f"r{result.application_id}", initial=initial)
        rows.append({"result": result, "line": line, "recommendation": current, "form": form})
    if request.method == "POST":
        # The chair reads the applications through the ranking; the service
        # checks again, conflicts included, before it records anything.
        targets = (
            Application.objects.filter(competition=competition)
            .select_related("competition")
            .in_bulk([row["result"].application_id for row in rows if row["form"] is not None])
        )
        saved, failed = 0, False
        for row in rows:
            form = row["form"]
            if form is None:
                continue
            if not form.is_valid():
                failed = True
                continue
            current = row["recommendation"]
            amount, comment = form.cleaned_data["amount"], form.cleaned_data["comment"]
            if current and (current.amount, current.comment) == (amount, comment.strip()):
                continue
            try:
                services.recommendation_record(
                    application=targets[row["result"].application_id],
                    actor=request.user,
                    amount=amount,
                    comment=comment,
                )
                saved += 1
            except RuleViolation as exc:
                apply_domain_errors(form, exc)
                failed = True
            except NotPermitted as exc:
                form.add_error(None, exc.messages[0])
                failed = True
            except WrongState as exc:
                return refuse(request, exc, reverse("recommendations", args=[competition.pk]))
        if saved:
            messages.success(
                request,
                ngettext(
                    "%(count)s recommendation was saved.",
                    "%(count)s recommendations were saved.",
                    saved,
                )
                % {"count": saved},
            )
        if not failed:
            return redirect("recommendations", pk=competition.pk)
    return render(
        request,
        "reviews/official/recommendations.html",
        {
            **nav_context(request, competition, "recommendations"),
            "results": results,
            "proposal": proposal,
            "rows": rows,
            "editable": editable,
            "outcome_labels": _outcome_labels(),
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def recommendations_adopt(request, pk):
    competition = competition_for(request.user, pk)
    if not roles_for(request.user).is_chair_of(competition.pk):
        raise Http404
    back = reverse("recommendations", args=[competition.pk])
    try:
        recorded = services.recommendations_from_proposal(
            competition=competition, actor=request.user
        )
    except (RuleViolation, WrongState, NotPermitted) as exc:
        return refuse(request, exc, back)
    messages.success(
        request,
        ngettext(
            "The funding line was adopted as the recommendation (%(count)s application).",
            "The funding line was adopted as the recommendation (%(count)s applications).",
            len(recorded),
        )
        % {"count": len(recorded)},
    )
    return redirect(back)


def _outcome_labels() -> dict[str, str]:
    return {
        Outcome.FUNDED: _("funded"),
        Outcome.PARTIAL: _("funded partially"),
        Outcome.RESERVE: _("reserve list"),
        Outcome.REJECTED: _("below the threshold"),
    }


# The operator's decisions.

PROPOSED_OUTCOME = {
    Outcome.FUNDED: Decision.Outcome.AWARDED,
    Outcome.PARTIAL: Decision.Outcome.AWARDED,
    Outcome.RESERVE: Decision.Outcome.RESERVE,
    Outcome.REJECTED: Decision.Outcome.REJECTED,
}


def _decision_initial(row) -> dict:
    if row.decision is not None:
        return {
            "outcome": row.decision.outcome,
            "amount": row.decision.amount,
            "reason": row.decision.reason,
        }
    if row.proposal is None:
        return {}
    return {"outcome": PROPOSED_OUTCOME[row.proposal.outcome], "amount": row.proposal.amount}


def _decision_rows(sheet, data=None, *, editable: bool) -> list[dict]:
    rows = []
    for row in sheet.rows:
        form = None
        if editable and _decidable(row.result):
            form = DecisionForm(
                data, prefix=f"d{row.result.application_id}", initial=_decision_initial(row)
            )
        rows.append({"row": row, "form": form, "proposed": row.decision is None})
    return rows


def _awarded(rows) -> tuple[Decimal, bool]:
    """The total the decisions award: what the form says for the rows being
    edited, what is saved for the others. The flag says an amount could not
    be read (it counts as nothing)."""
    total, unreadable = ZERO, False
    for item in rows:
        form, row = item["form"], item["row"]
        if form is None:
            decision = row.decision
            if decision and decision.outcome == Decision.Outcome.AWARDED and decision.amount:
                total += decision.amount
            continue
        if form.is_bound:
            form.is_valid()
            if form.cleaned_data.get("outcome") != Decision.Outcome.AWARDED:
                continue
            if "amount" in form.errors:
                unreadable = True
                continue
            amount = form.cleaned_data.get("amount")
        else:
            if form.initial.get("outcome") != Decision.Outcome.AWARDED:
                continue
            amount = form.initial.get("amount")
        total += amount or ZERO
    return total, unreadable


def _decisions_page(request, competition, sheet, rows, *, status=200):
    awarded, unreadable = _awarded(rows)
    return render(
        request,
        "reviews/official/decisions.html",
        {
            **nav_context(request, competition, "decisions"),
            "sheet": sheet,
            "rows": rows,
            "editable": any(item["form"] is not None for item in rows),
            "in_review": competition.status == Competition.Status.IN_REVIEW,
            "budget": sheet.budget,
            "awarded": awarded,
            "remaining": sheet.budget - awarded,
            "unreadable": unreadable,
            "outcome_labels": _outcome_labels(),
        },
        status=status,
    )


def _changed(form, decision) -> bool:
    data = form.cleaned_data
    if decision is None:
        return bool(data["outcome"])
    amount = data["amount"] if data["outcome"] == Decision.Outcome.AWARDED else None
    return (decision.outcome, decision.amount, decision.reason) != (
        data["outcome"],
        amount,
        (data["reason"] or "").strip(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def decisions(request, pk):
    competition = competition_for(request.user, pk)
    require_official(request.user, competition)
    try:
        sheet = decision_sheet(request.user, competition)
    except WrongState as exc:
        return _not_open(request, competition, "decisions", exc)
    editable = competition.status == Competition.Status.IN_REVIEW
    if request.method == "GET":
        return _decisions_page(
            request, competition, sheet, _decision_rows(sheet, editable=editable)
        )
    rows = _decision_rows(sheet, request.POST, editable=editable)
    targets = (
        applications_visible_to(request.user)
        .filter(competition=competition)
        .in_bulk([item["row"].result.application_id for item in rows if item["form"] is not None])
    )
    saved, failed = 0, False
    for item in rows:
        form = item["form"]
        if form is None:
            continue
        if not form.is_valid():
            failed = True
            continue
        if not _changed(form, item["row"].decision):
            continue
        try:
            services.decision_record(
                application=targets[item["row"].result.application_id],
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
            saved += 1
        except RuleViolation as exc:
            apply_domain_errors(form, exc)
            failed = True
        except (WrongState, NotPermitted) as exc:
            return refuse(request, exc, reverse("decisions", args=[competition.pk]))
    if saved:
        messages.success(
            request,
            ngettext("%(count)s decision was saved.", "%(count)s decisions were saved.", saved)
            % {"count": saved},
        )
    if not failed:
        return redirect("decisions", pk=competition.pk)
    # Re-read what was saved; the forms keep what was typed.
    sheet = decision_sheet(request.user, competition)
    rows = _decision_rows(sheet, request.POST, editable=editable)
    for item in rows:
        if item["form"] is not None:
            item["form"].is_valid()
    return _decisions_page(request, competition, sheet, rows, status=422)


@login_required
@require_POST
def decisions_remaining(request, pk):
    """The awarded total and what is left of the budget for the amounts as
    typed: the htmx answer to every change on the decisions page."""
    competition = competition_for(request.user, pk)
    require_official(request.user, competition)
    try:
        sheet = decision_sheet(request.user, competition)
    except WrongState as exc:
        raise Http404 from exc
    rows = _decision_rows(
        sheet, request.POST, editable=competition.status == Competition.Status.IN_REVIEW
    )
    awarded, unreadable = _awarded(rows)
    return render(
        request,
        "reviews/official/_remaining.html",
        {
            "budget": sheet.budget,
            "awarded": awarded,
            "remaining": sheet.budget - awarded,
            "unreadable": unreadable,
        },
    )


@login_required
@require_POST
def decisions_fill(request, pk):
    competition = competition_for(request.user, pk)
    require_official(request.user, competition)
    back = reverse("decisions", args=[competition.pk])
    try:
        recorded = services.decisions_from_proposal(
            competition=competition,
            actor=request.user,
            overwrite=bool(request.POST.get("overwrite")),
        )
    except (RuleViolation, WrongState, NotPermitted) as exc:
        return refuse(request, exc, back)
    messages.success(
        request,
        ngettext(
            "%(count)s decision was filled in from the funding line.",
            "%(count)s decisions were filled in from the funding line.",
            len(recorded),
        )
        % {"count": len(recorded)},
    )
    return redirect(back)


@login_required
@require_POST
def competition_decide(request, pk):
    """Apply the decisions: refused, with the reasons as messages, while an
    application is undecided or the awards exceed the budget."""
    competition = competition_for(request.user, pk)
    require_official(request.user, competition)
    back = reverse("decisions", args=[competition.pk])
    try:
        services.competition_decide(competition=competition, actor=request.user)
    except (RuleViolation, WrongState, NotPermitted) as exc:
        return refuse(request, exc, back)
    messages.success(
        request,
        _("The competition is decided. The applicants were told, and the grants were prepared."),
    )
    return redirect(back)
