"""A commission member's pages: the dashboard, the impartiality declaration,
scoring a review (with autosave), submitting it, declaring a conflict found
late, reading an application, and the panel of every score once scoring closes.

Every read goes through `reviews.selectors`, which hide from a member what
they may not see: nothing before they sign, never an application they are
conflicted with, never another member's scores before scoring closes.
"""

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications.models import Application
from applications.views.common import fragment
from competitions.models import Competition
from competitions.selectors import competitions_managed_by
from core.errors import NotPermitted, RuleViolation, WrongState
from core.files import private_file_response
from core.roles import roles_for
from core.views import apply_domain_errors, login_required

from .. import services
from ..forms import ConflictForm, DeclarationForm, ScoreForm
from ..models import CommissionMember, Review
from ..results import review_settings
from ..selectors import (
    application_for_member,
    applications_for_member,
    competition_for,
    declaration_candidates,
    review_for_member,
    reviews_for_member,
    scoring_panel,
    seat_of,
)
from ..services.commission import SIGNING_STATES, declaration_statement
from .common import nav_context, refuse

STATUS_ID = "status-review"


def _scoring_closed_at(competition: Competition):
    try:
        return competition.review_settings.scoring_closed_at
    except Competition.review_settings.RelatedObjectDoesNotExist:
        return None


@login_required
def dashboard(request):
    """Where the person sits, whether they signed, and what they have to score;
    for an official also the competitions whose review they run."""
    roles = roles_for(request.user)
    seats = roles.commission
    competitions = list(
        Competition.objects.filter(pk__in=list(seats))
        .select_related("operator", "review_settings")
        .order_by("-submission_deadline", "pk")
    )
    reviews_by_competition = defaultdict(list)
    for review in reviews_for_member(request.user):
        criteria = list(review.application.competition.criteria.all())
        scored = {s.criterion_id for s in review.scores.all()}
        reviews_by_competition[review.application.competition_id].append(
            {
                "review": review,
                "scored": sum(1 for c in criteria if c.pk in scored),
                "criteria": len(criteria),
            }
        )
    advisory = [
        cid
        for cid, seat in seats.items()
        if seat.affiliation == CommissionMember.Affiliation.EXPERT and seat.signed
    ]
    readable = defaultdict(list)
    if advisory:
        for application in applications_for_member(request.user).filter(
            competition_id__in=advisory
        ):
            readable[application.competition_id].append(application)
    rows = []
    for competition in competitions:
        seat = seats[competition.pk]
        rows.append(
            {
                "competition": competition,
                "seat": seat,
                "affiliation": CommissionMember.Affiliation(seat.affiliation).label,
                "can_sign": not seat.signed and competition.status in SIGNING_STATES,
                "scoring_closed_at": _scoring_closed_at(competition),
                "reviews": reviews_by_competition.get(competition.pk, []),
                "readable": readable.get(competition.pk, []),
            }
        )
    managed = []
    if roles.operator_ids:
        managed = list(
            competitions_managed_by(request.user)
            .exclude(status=Competition.Status.DRAFT)
            .order_by("-submission_deadline", "pk")
        )
    return render(
        request,
        "reviews/member/dashboard.html",
        {"rows": rows, "managed": managed},
    )


# The declaration.


@login_required
@require_http_methods(["GET", "POST"])
def declaration(request, pk):
    competition = competition_for(request.user, pk)
    seat = seat_of(request.user, competition)
    if seat is None:
        raise Http404
    signed = getattr(seat, "declaration", None)
    context = {**nav_context(request, competition, "declaration"), "seat": seat}
    if signed is not None:
        context.update(signed=signed, conflicts=list(seat.conflicts.all()))
        return render(request, "reviews/member/declaration.html", context)
    candidates = declaration_candidates(request.user, competition)
    form = DeclarationForm(
        request.POST if request.method == "POST" else None, candidates=candidates
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.declaration_sign(
                    competition=competition, actor=request.user, conflicts=form.conflicts()
                )
            except RuleViolation as exc:
                apply_domain_errors(form, exc)
            except (WrongState, NotPermitted) as exc:
                return refuse(request, exc, reverse("declaration", args=[competition.pk]))
            else:
                messages.success(
                    request,
                    _("You signed the declaration. The applications assigned to you are open."),
                )
                return redirect("commission-dashboard")
        status = 422
    context.update(
        form=form,
        statement=declaration_statement(seat),
        can_sign=competition.status in SIGNING_STATES,
    )
    return render(request, "reviews/member/declaration.html", context, status=status)


# Scoring.


def _editable(review: Review) -> bool:
    """Whether the member may still change the review now; the services decide
    in the end, this only chooses between the form and the read-only view."""
    application = review.application
    competition = application.competition
    return (
        review.status in Review.OPEN
        and competition.status == Competition.Status.IN_REVIEW
        and application.status == Application.Status.IN_REVIEW
        and not review_settings(competition).scoring_closed
    )


def _criteria(review: Review) -> list:
    return list(review.application.competition.criteria.all())


def _score_rows(review: Review, criteria) -> list[dict]:
    by_criterion = {s.criterion_id: s for s in review.scores.all()}
    return [{"criterion": c, "score": by_criterion.get(c.pk)} for c in criteria]


def _total(review: Review, criteria) -> Decimal | None:
    scores = {s.criterion_id: s.points for s in review.scores.all()}
    if not scores:
        return None
    return sum((scores[c.pk] * c.weight for c in criteria if c.pk in scores), Decimal("0"))


def _score_page(request, review, *, form=None, status=200):
    criteria = _criteria(review)
    editable = _editable(review)
    if editable and form is None:
        form = ScoreForm(initial=ScoreForm.initial_for(review), criteria=criteria)
    snapshot = review.application.snapshots.order_by("-version").first()
    return render(
        request,
        "reviews/member/review.html",
        {
            **nav_context(request, review.application.competition, "review"),
            "review": review,
            "application": review.application,
            "snapshot": snapshot,
            "content": snapshot.data if snapshot else {},
            "editable": editable,
            "form": form,
            "rows": _score_rows(review, criteria),
            "total": _total(review, criteria),
            "max_total": sum((c.max_points * c.weight for c in criteria), Decimal("0")),
            "weighted": any(c.weight != 1 for c in criteria),
            "status_id": STATUS_ID,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_score(request, pk):
    """The scoring form. A plain post saves the draft (and, with “submit”,
    goes on to the confirmation); an htmx post is the autosave."""
    review = review_for_member(request.user, pk)
    if request.method == "GET":
        return _score_page(request, review)
    form = ScoreForm(request.POST, criteria=_criteria(review))
    saved = False
    if form.is_valid():
        try:
            services.review_save_draft(
                review=review,
                actor=request.user,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
            saved = True
        except RuleViolation as exc:
            apply_domain_errors(form, exc, form.aliases())
        except (WrongState, NotPermitted) as exc:
            if request.htmx and isinstance(exc, WrongState):
                response = fragment(
                    request,
                    "applications/editor/_status.html",
                    {"refused": exc.messages, "status_id": STATUS_ID},
                    marker="conflict",
                    status=409,
                )
                response["HX-Reswap"] = "none"
                return response
            return refuse(request, exc, reverse("review-score", args=[review.pk]))
    if request.htmx:
        return fragment(
            request,
            "applications/editor/_status.html",
            {
                "form": form,
                "saved_at": timezone.now() if saved else None,
                "section": "review",
                "status_id": STATUS_ID,
                "with_field_errors": True,
            },
            marker="saved" if saved else "invalid",
            status=200 if saved else 422,
        )
    if not saved:
        return _score_page(request, review, form=form, status=422)
    if request.POST.get("action") == "submit":
        return redirect("review-submit", pk=review.pk)
    messages.success(request, _("The draft was saved. You can come back to it at any time."))
    return redirect("review-score", pk=review.pk)


@login_required
@require_http_methods(["GET", "POST"])
def review_submit(request, pk):
    review = review_for_member(request.user, pk)
    back = reverse("review-score", args=[review.pk])
    if request.method == "POST":
        try:
            services.review_submit(review=review, actor=request.user)
        except (RuleViolation, WrongState, NotPermitted) as exc:
            return refuse(request, exc, back)
        messages.success(request, _("Your review was submitted. Thank you."))
        return redirect("review-score", pk=review.pk)
    if not _editable(review):
        messages.info(request, _("This review cannot be submitted now."))
        return redirect(back)
    criteria = _criteria(review)
    rows = _score_rows(review, criteria)
    return render(
        request,
        "reviews/member/review_submit.html",
        {
            **nav_context(request, review.application.competition, "review"),
            "review": review,
            "rows": rows,
            "missing": [row["criterion"] for row in rows if row["score"] is None],
            "total": _total(review, criteria),
            "max_total": sum((c.max_points * c.weight for c in criteria), Decimal("0")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_conflict(request, pk):
    """A conflict found during the review: the member steps back from it."""
    review = review_for_member(request.user, pk)
    form = ConflictForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                recusal = services.declare_conflict(
                    assignment=review,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    ground=form.cleaned_data["ground"],
                )
            except RuleViolation as exc:
                apply_domain_errors(form, exc)
            except (WrongState, NotPermitted) as exc:
                return refuse(request, exc, reverse("review-score", args=[review.pk]))
            else:
                if recusal.replacement is not None:
                    messages.success(
                        request,
                        _(
                            "The conflict was recorded and you no longer review this "
                            "application; another member was assigned."
                        ),
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "The conflict was recorded and you no longer review this "
                            "application. The officials will assign it to someone else."
                        ),
                    )
                return redirect("commission-dashboard")
        status = 422
    return render(
        request,
        "reviews/member/conflict.html",
        {
            **nav_context(request, review.application.competition, "review"),
            "review": review,
            "form": form,
        },
        status=status,
    )


# Reading an application as a member.


@login_required
def member_application(request, pk):
    application = application_for_member(request.user, pk)
    snapshot = max(application.snapshots.all(), key=lambda s: s.version, default=None)
    own = next(
        (
            r
            for r in reviews_for_member(request.user, application.competition)
            if r.application_id == application.pk
        ),
        None,
    )
    return render(
        request,
        "reviews/member/application.html",
        {
            **nav_context(request, application.competition, "application"),
            "application": application,
            "snapshot": snapshot,
            "content": snapshot.data if snapshot else {},
            "review": own,
        },
    )


@login_required
def member_attachment(request, pk, attachment_pk):
    """An attachment of an application the member may read, through the same
    selector as the application itself."""
    application = application_for_member(request.user, pk)
    attachment = next((a for a in application.attachments.all() if a.pk == attachment_pk), None)
    if attachment is None:
        raise Http404
    return private_file_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


# After scoring closes.


@login_required
def panel(request, pk):
    competition = competition_for(request.user, pk)
    try:
        applications = scoring_panel(request.user, competition)
    except WrongState as exc:
        return render(
            request,
            "reviews/not_open.html",
            {**nav_context(request, competition, "scoring-panel"), "reason": exc.messages[0]},
        )
    return render(
        request,
        "reviews/member/panel.html",
        {**nav_context(request, competition, "scoring-panel"), "applications": applications},
    )
