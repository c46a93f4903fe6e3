"""Closing the scoring and what follows it: the ranking, the panel view, the
funding line with the commission's recommendations, and the operator's
decisions with the money left.

Scores and results open once scoring has closed; before that they are 409,
and to anybody outside the operator and the signed commission 404.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from competitions.models import Competition
from competitions.permissions import can_manage
from core.api import TransitionInputSerializer

from .. import selectors, services
from ..models import Recommendation
from ..results import review_settings
from .common import COMPETITION_PK, CompetitionResourceMixin
from .result_serializers import (
    FUNDING_OUTCOMES,
    SCORING_STATES,
    DecisionInputSerializer,
    DecisionsFromProposalInputSerializer,
    DecisionSheetSerializer,
    FundingLineSerializer,
    PanelApplicationSerializer,
    RankingSerializer,
    RecommendationInputSerializer,
    ScoringInputSerializer,
    ScoringSerializer,
    tie_breaks,
)

# Scoring ----------------------------------------------------------------------------


def _scoring(user, competition: Competition) -> dict:
    settings = review_settings(competition)
    state = "closed" if settings.scoring_closed else "open"
    transitions = []
    if can_manage(user, competition)[0] and competition.status == Competition.Status.IN_REVIEW:
        transitions = ["reopen"] if settings.scoring_closed else ["close"]
    return {
        "status": state,
        "status_display": str(dict(SCORING_STATES)[state]),
        "available_transitions": transitions,
        "scoring_closed_at": settings.scoring_closed_at,
        "disagreement_pct": settings.disagreement_pct,
        "no_ngo_reason": settings.no_ngo_reason,
    }


@extend_schema(parameters=[COMPETITION_PK], tags=["scoring"])
class ScoringView(CompetitionResourceMixin, GenericAPIView):
    """Whether scoring is open, and the review settings (officials change them)."""

    serializer_class = ScoringSerializer

    @extend_schema(responses=ScoringSerializer)
    def get(self, request, competition_pk):
        return Response(ScoringSerializer(_scoring(request.user, self.competition())).data)

    @extend_schema(request=ScoringInputSerializer, responses=ScoringSerializer)
    def patch(self, request, competition_pk):
        competition = self.competition()
        payload = ScoringInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.review_settings_update(
            competition=competition,
            actor=request.user,
            disagreement_pct=payload.validated_data["disagreement_pct"],
        )
        return Response(ScoringSerializer(_scoring(request.user, competition)).data)


def _close(competition, actor, data):
    return services.scoring_close(
        competition=competition, actor=actor, comment=data.get("comment", "")
    )


def _reopen(competition, actor, data):
    return services.scoring_reopen(
        competition=competition, actor=actor, comment=data.get("comment", "")
    )


SCORING_TRANSITIONS = {"close": _close, "reopen": _reopen}


@extend_schema(parameters=[COMPETITION_PK], tags=["scoring"])
class ScoringTransitionView(CompetitionResourceMixin, GenericAPIView):
    serializer_class = ScoringSerializer

    @extend_schema(
        request=TransitionInputSerializer,
        responses=ScoringSerializer,
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=["close", "reopen"])],
        description=(
            "`close`: every assigned review submitted; the ranking and the panel view "
            "open and reviews can no longer change. `reopen` (with a comment) opens "
            "scoring again. 409 when scoring already is so."
        ),
    )
    def post(self, request, competition_pk, name):
        competition = self.competition()
        service = SCORING_TRANSITIONS.get(name)
        if service is None:
            raise exceptions.NotFound(_("There is no such action."))
        payload = TransitionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        service(competition, request.user, payload.validated_data)
        return Response(ScoringSerializer(_scoring(request.user, competition)).data)


# Results ----------------------------------------------------------------------------


@extend_schema(parameters=[COMPETITION_PK], tags=["results"])
class RankingView(CompetitionResourceMixin, GenericAPIView):
    serializer_class = RankingSerializer

    @extend_schema(
        responses=RankingSerializer,
        description=(
            "For the officials and the members who signed, once scoring has closed: "
            "the mean of the submitted reviews' totals, the means per criterion, n, "
            "min, max, standard deviation, the disagreement flag, the normalised score, "
            "the threshold and the rank with what broke ties."
        ),
    )
    def get(self, request, competition_pk):
        results = selectors.competition_ranking(request.user, self.competition())
        return Response(RankingSerializer(results).data)


@extend_schema(parameters=[COMPETITION_PK], tags=["results"])
class PanelView(CompetitionResourceMixin, GenericAPIView):
    serializer_class = PanelApplicationSerializer

    @extend_schema(
        responses=PanelApplicationSerializer(many=True),
        description=(
            "Every submitted review with its author, in ranking order, once scoring has "
            "closed; a member does not see the applications they are conflicted with."
        ),
    )
    def get(self, request, competition_pk):
        panel = selectors.scoring_panel(request.user, self.competition())
        context = {"tie_breaks": tie_breaks([entry.result for entry in panel])}
        return Response(PanelApplicationSerializer(panel, many=True, context=context).data)


def _funding_line(user, competition: Competition) -> dict:
    # Who may see the funding line is the selector's to say; the ranking adds
    # the applications' numbers and titles, and the recommendations on the
    # line are the chair's working record, seen by the same people.
    proposal = selectors.funding_proposal(user, competition)
    rows = {
        row.application_id: row for row in selectors.competition_ranking(user, competition).rows
    }
    recommendations = {
        r.application_id: r
        for r in Recommendation.objects.filter(application__competition=competition)
    }
    recommended = sum((r.amount for r in recommendations.values()), Decimal("0.00"))
    return {
        "budget": proposal.budget,
        "allocated": proposal.allocated,
        "remaining": proposal.remaining,
        "recommended": recommended,
        "remaining_after_recommendations": proposal.budget - recommended,
        "lines": [
            {
                "rank": rows[line.application_id].rank,
                "application": line.application_id,
                "number": rows[line.application_id].number,
                "title": rows[line.application_id].title,
                "applicant": rows[line.application_id].applicant,
                "mean": rows[line.application_id].mean,
                "passes_threshold": rows[line.application_id].passes_threshold,
                "outcome": line.outcome,
                "outcome_display": str(FUNDING_OUTCOMES[line.outcome]),
                "requested": line.requested,
                "amount": line.amount,
                "recommendation": recommendations.get(line.application_id),
            }
            for line in proposal.lines
        ],
    }


def _funding_line_response(request, competition):
    return Response(FundingLineSerializer(_funding_line(request.user, competition)).data)


@extend_schema(parameters=[COMPETITION_PK], tags=["results"])
class FundingLineView(CompetitionResourceMixin, GenericAPIView):
    serializer_class = FundingLineSerializer

    @extend_schema(
        responses=FundingLineSerializer,
        description=(
            "For the officials and the chair once scoring has closed: which applications "
            "the budget covers in rank order, the reserve list, the commission's "
            "recommendations and the money left."
        ),
    )
    def get(self, request, competition_pk):
        return _funding_line_response(request, self.competition())


@extend_schema(parameters=[COMPETITION_PK], tags=["results"])
class RecommendationView(CompetitionResourceMixin, GenericAPIView):
    serializer_class = FundingLineSerializer

    @extend_schema(
        request=RecommendationInputSerializer,
        responses=FundingLineSerializer,
        description=(
            "The chair records the commission's recommendation on one application "
            "(amount 0: not recommended), replacing an earlier one; answers with the "
            "funding line."
        ),
    )
    def post(self, request, competition_pk):
        competition = self.competition()
        payload = RecommendationInputSerializer(
            data=request.data, context={"competition": competition}
        )
        payload.is_valid(raise_exception=True)
        services.recommendation_record(
            application=payload.validated_data["application"],
            actor=request.user,
            amount=payload.validated_data["amount"],
            comment=payload.validated_data.get("comment", ""),
        )
        return _funding_line_response(request, competition)


@extend_schema(parameters=[COMPETITION_PK], tags=["results"])
class RecommendationsFromProposalView(CompetitionResourceMixin, GenericAPIView):
    serializer_class = FundingLineSerializer

    @extend_schema(
        request=None,
        responses=FundingLineSerializer,
        description="The chair adopts the funding line as the commission's recommendation.",
    )
    def post(self, request, competition_pk):
        competition = self.competition()
        services.recommendations_from_proposal(competition=competition, actor=request.user)
        return _funding_line_response(request, competition)


def _decision_sheet_response(request, competition):
    sheet = selectors.decision_sheet(request.user, competition)
    body = {
        "budget": sheet.budget,
        "awarded": sheet.awarded,
        "remaining": sheet.remaining,
        "undecided": sheet.undecided,
        "rows": sheet.rows,
    }
    return Response(DecisionSheetSerializer(body).data)


@extend_schema(parameters=[COMPETITION_PK], tags=["results"])
class DecisionsView(CompetitionResourceMixin, GenericAPIView):
    """The operator's decisions, recorded one by one and applied together by
    the competition's `decide` transition."""

    serializer_class = DecisionSheetSerializer

    @extend_schema(
        responses=DecisionSheetSerializer,
        description=(
            "For the officials once scoring has closed: ranking, funding line, "
            "recommendation and decision per application, and the money left."
        ),
    )
    def get(self, request, competition_pk):
        return _decision_sheet_response(request, self.competition())

    @extend_schema(
        request=DecisionInputSerializer,
        responses=DecisionSheetSerializer,
        description=(
            "Record the decision on one application: `awarded` with an amount, "
            "`reserve`, or `rejected` with a reason; replaces an earlier one."
        ),
    )
    def post(self, request, competition_pk):
        competition = self.competition()
        payload = DecisionInputSerializer(data=request.data, context={"competition": competition})
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.decision_record(
            application=data["application"],
            actor=request.user,
            outcome=data["outcome"],
            amount=data.get("amount"),
            reason=data.get("reason", ""),
        )
        return _decision_sheet_response(request, competition)


@extend_schema(parameters=[COMPETITION_PK], tags=["results"])
class DecisionsFromProposalView(CompetitionResourceMixin, GenericAPIView):
    serializer_class = DecisionSheetSerializer

    @extend_schema(
        request=DecisionsFromProposalInputSerializer,
        responses=DecisionSheetSerializer,
        description="Fill the decisions from the funding line, to adjust afterwards.",
    )
    def post(self, request, competition_pk):
        competition = self.competition()
        payload = DecisionsFromProposalInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.decisions_from_proposal(
            competition=competition,
            actor=request.user,
            overwrite=payload.validated_data["overwrite"],
        )
        return _decision_sheet_response(request, competition)
