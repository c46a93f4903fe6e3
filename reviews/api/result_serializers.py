"""Serializers of scoring, the ranking, the panel view, the funding line,
the recommendations and the decisions: read from the dataclasses the
selectors return, money and scores as strings with two decimal places."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import Application
from core.api import ModelSerializer, NamedChoiceField, UTCDateTimeField

from ..funding import Outcome
from ..models import Decision
from .serializers import two_places

FUNDING_OUTCOMES = {
    Outcome.FUNDED: _("funded"),
    Outcome.PARTIAL: _("funded partially"),
    Outcome.RESERVE: _("reserve list"),
    Outcome.REJECTED: _("below the threshold"),
}


def _funding_outcome(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(
        choices=list(FUNDING_OUTCOMES.items()), enum_name="FundingOutcome", **kwargs
    )


SCORING_STATES = [("open", _("scoring open")), ("closed", _("scoring closed"))]


class ScoringSerializer(serializers.Serializer):
    """Whether scoring is open, and the review settings of the competition."""

    status = NamedChoiceField(choices=SCORING_STATES, enum_name="ScoringStatus")
    status_display = serializers.CharField()
    available_transitions = serializers.ListField(child=serializers.CharField())
    scoring_closed_at = UTCDateTimeField(allow_null=True)
    disagreement_pct = two_places()
    no_ngo_reason = serializers.CharField()


class ScoringInputSerializer(serializers.Serializer):
    disagreement_pct = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        label=_("flag disagreement above (% of the maximum score)"),
    )


class RankingCriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    max_points = two_places()
    weight = two_places()


class CriterionMeanSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(source="criterion_id")
    name = serializers.CharField()
    max_points = two_places()
    mean = two_places(allow_null=True)


TIE_BREAKS = [
    ("own_contribution", _("higher own contribution share")),
    ("submission_time", _("earlier submission")),
    ("application_id", _("order of creation")),
]


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    application = serializers.IntegerField(source="application_id")
    number = serializers.CharField()
    title = serializers.CharField()
    applicant = serializers.CharField()
    status = NamedChoiceField(choices=Application.Status.choices, enum_name="ApplicationStatus")
    amount_requested = two_places()
    submitted_at = UTCDateTimeField(allow_null=True)
    own_share_pct = two_places()
    reviews = serializers.IntegerField(help_text=_("Submitted reviews (n)."))
    mean = two_places(allow_null=True)
    minimum = two_places(allow_null=True)
    maximum = two_places(allow_null=True)
    std_dev = two_places(allow_null=True, help_text=_("Population standard deviation."))
    spread = two_places(allow_null=True)
    normalised = two_places(
        allow_null=True, help_text=_("Corrected for strict and generous reviewers.")
    )
    criteria = CriterionMeanSerializer(many=True)
    disagreement = serializers.BooleanField()
    passes_threshold = serializers.BooleanField()
    tie_break = serializers.SerializerMethodField(
        help_text=_(
            "When the mean equals a neighbour's: what decided the order between them "
            "(against the row above, else the row below)."
        )
    )

    @extend_schema_field(
        NamedChoiceField(choices=TIE_BREAKS, enum_name="TieBreak", allow_null=True)
    )
    def get_tie_break(self, row) -> str | None:
        return self.context.get("tie_breaks", {}).get(row.application_id)


def _tie_break(first, second) -> str:
    if first.own_share_pct != second.own_share_pct:
        return "own_contribution"
    if first.submitted_at != second.submitted_at:
        return "submission_time"
    return "application_id"


def tie_breaks(rows) -> dict[int, str]:
    """Application id → what separated it from an equally scored neighbour."""
    found = {}
    for index, row in enumerate(rows):
        if row.mean is None:
            continue
        above = rows[index - 1] if index > 0 else None
        below = rows[index + 1] if index + 1 < len(rows) else None
        if above is not None and above.mean == row.mean:
            found[row.application_id] = _tie_break(above, row)
        elif below is not None and below.mean == row.mean:
            found[row.application_id] = _tie_break(row, below)
    return found


class RankingSerializer(serializers.Serializer):
    """The ranking once scoring has closed: raw and normalised scores, the
    spread, and the threshold."""

    competition = serializers.IntegerField(source="competition.pk")
    criteria = RankingCriterionSerializer(many=True)
    max_total = two_places()
    threshold = two_places(help_text=_("Points a mean must reach to be funded."))
    threshold_pct = two_places(source="competition.score_threshold_pct")
    disagreement_pct = two_places()
    rows = serializers.SerializerMethodField()

    @extend_schema_field(RankingRowSerializer(many=True))
    def get_rows(self, results) -> list:
        context = {**self.context, "tie_breaks": tie_breaks(results.rows)}
        return RankingRowSerializer(results.rows, many=True, context=context).data


class PanelScoreSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    max_points = two_places()
    points = two_places()
    comment = serializers.CharField()


class PanelReviewSerializer(serializers.Serializer):
    member = serializers.CharField()
    affiliation = serializers.CharField()
    total = two_places()
    comment = serializers.CharField()
    scores = PanelScoreSerializer(many=True)


class PanelApplicationSerializer(serializers.Serializer):
    """An application of the ranking with every submitted review and its author."""

    result = RankingRowSerializer()
    reviews = PanelReviewSerializer(many=True)


class RecommendationSerializer(serializers.Serializer):
    amount = two_places(help_text=_("0: the commission does not recommend funding."))
    comment = serializers.CharField()
    recorded_at = UTCDateTimeField()


class FundingLineRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    application = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    applicant = serializers.CharField()
    mean = two_places(allow_null=True)
    passes_threshold = serializers.BooleanField()
    outcome = _funding_outcome()
    outcome_display = serializers.CharField()
    requested = two_places()
    amount = two_places(allow_null=True, help_text=_("What the budget covers."))
    recommendation = RecommendationSerializer(allow_null=True)


class FundingLineSerializer(serializers.Serializer):
    """The funding line over the ranking, the commission's recommendations, and
    the money left."""

    budget = two_places()
    allocated = two_places(help_text=_("What the funding line allocates."))
    remaining = two_places(help_text=_("The budget less what the funding line allocates."))
    recommended = two_places(help_text=_("The total the commission recommends."))
    remaining_after_recommendations = two_places()
    lines = FundingLineRowSerializer(many=True)


class ApplicationInCompetitionInput(serializers.Serializer):
    """An input about one application of the competition in the context."""

    application = serializers.PrimaryKeyRelatedField(
        queryset=Application.objects.none(), label=_("application")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        competition = self.context.get("competition")
        if competition is not None:
            self.fields["application"].queryset = Application.objects.filter(
                competition=competition
            ).select_related("competition")


class RecommendationInputSerializer(ApplicationInCompetitionInput):
    amount = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, label=_("recommended amount (PLN)")
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, label=_("comment")
    )


class DecisionInputSerializer(ApplicationInCompetitionInput):
    outcome = NamedChoiceField(
        choices=Decision.Outcome.choices, enum_name="DecisionOutcome", label=_("decision")
    )
    amount = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        label=_("amount awarded (PLN)"),
        help_text=_("Only with an award."),
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        label=_("reason"),
        help_text=_("Required when not funded."),
    )


class DecisionsFromProposalInputSerializer(serializers.Serializer):
    overwrite = serializers.BooleanField(
        required=False,
        default=False,
        label=_("overwrite"),
        help_text=_("Replace decisions already recorded, not only fill the missing ones."),
    )


class ProposalSerializer(serializers.Serializer):
    outcome = _funding_outcome()
    amount = two_places(allow_null=True)


class DecisionSerializer(ModelSerializer):
    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)
    amount = two_places(allow_null=True, read_only=True)

    class Meta:
        model = Decision
        fields = ["outcome", "outcome_display", "amount", "reason", "decided_at", "applied_at"]
        read_only_fields = fields


class DecisionRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField(source="result.rank")
    application = serializers.IntegerField(source="result.application_id")
    number = serializers.CharField(source="result.number")
    title = serializers.CharField(source="result.title")
    applicant = serializers.CharField(source="result.applicant")
    status = NamedChoiceField(
        source="result.status", choices=Application.Status.choices, enum_name="ApplicationStatus"
    )
    mean = two_places(source="result.mean", allow_null=True)
    passes_threshold = serializers.BooleanField(source="result.passes_threshold")
    requested = two_places(source="result.amount_requested")
    proposal = ProposalSerializer(allow_null=True)
    recommendation = RecommendationSerializer(allow_null=True)
    decision = DecisionSerializer(allow_null=True)


class DecisionSheetSerializer(serializers.Serializer):
    """Ranking, funding line, recommendation and decision per application, and
    the money left once the decisions are counted."""

    budget = two_places()
    awarded = two_places(help_text=_("The total of the awards recorded."))
    remaining = two_places()
    undecided = serializers.IntegerField(help_text=_("Applications in review still undecided."))
    rows = DecisionRowSerializer(many=True)
