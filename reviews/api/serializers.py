"""Input and output serializers of the commission, the reviews and the results.

Outputs read what the selectors loaded (rows, dataclasses) and run no query
per row. Inputs check types and lengths; the services check the rules (points
within a criterion's maximum, conflicts, the budget) and answer with field
messages. Money and scores are strings with two decimal places.

Nothing an applicant can reach names a reviewer: `ApplicantReviewSerializer`
is the only one of these they get. The results' serializers are in
`result_serializers`.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import (
    ModelSerializer,
    NamedChoiceField,
    StateSerializerMixin,
    TransitionInputSerializer,
    UTCDateTimeField,
)

from ..models import CommissionMember, Conflict, Review

# Money, points and percentages: two places, as strings.


def two_places(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


def _review_status(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=Review.Status.choices, enum_name="ReviewStatus", **kwargs)


def _affiliation(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(
        choices=CommissionMember.Affiliation.choices,
        enum_name="CommissionMemberAffiliation",
        **kwargs,
    )


def _ground(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(choices=Conflict.Ground.choices, enum_name="ConflictGround", **kwargs)


# The commission ------------------------------------------------------------------


class CommissionMemberSerializer(ModelSerializer):
    """A member of the commission and where their work stands."""

    user = serializers.IntegerField(source="user_id", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    affiliation_display = serializers.CharField(source="get_affiliation_display", read_only=True)
    signed = serializers.BooleanField(
        read_only=True, help_text=_("Has signed the impartiality declaration.")
    )
    assigned = serializers.IntegerField(
        read_only=True, help_text=_("Applications assigned (recusals excluded).")
    )
    submitted = serializers.IntegerField(read_only=True, help_text=_("Reviews submitted."))

    class Meta:
        model = CommissionMember
        fields = [
            "id",
            "user",
            "full_name",
            "email",
            "affiliation",
            "affiliation_display",
            "is_chair",
            "signed",
            "assigned",
            "submitted",
            "added_at",
        ]
        read_only_fields = fields


class CommissionMemberCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(
        label=_("e-mail address"), help_text=_("Of a person who already has an account.")
    )
    affiliation = _affiliation(label=_("capacity"))
    is_chair = serializers.BooleanField(required=False, default=False, label=_("chair"))


class CommissionMemberUpdateSerializer(serializers.Serializer):
    affiliation = _affiliation(required=False, label=_("capacity"))
    is_chair = serializers.BooleanField(required=False, label=_("chair"))


# The declaration -----------------------------------------------------------------


class DeclarationCandidateSerializer(serializers.Serializer):
    """An applicant the member declares about: number and name, nothing more."""

    application = serializers.IntegerField(source="application_id")
    number = serializers.CharField()
    applicant = serializers.CharField()
    member_of_applicant = serializers.BooleanField(
        help_text=_("You belong to the applying group: a conflict whatever you declare.")
    )


class ConflictSerializer(ModelSerializer):
    application = serializers.IntegerField(source="application_id", read_only=True)
    number = serializers.CharField(source="application.number", read_only=True)
    ground_display = serializers.CharField(source="get_ground_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = Conflict
        fields = [
            "application",
            "number",
            "ground",
            "ground_display",
            "details",
            "source",
            "source_display",
            "declared_at",
        ]
        read_only_fields = fields


class DeclarationSerializer(serializers.Serializer):
    """Your impartiality declaration for one competition: the statement, the
    applicants to declare about and, once signed, your conflicts."""

    signed = serializers.BooleanField()
    signed_at = UTCDateTimeField(allow_null=True)
    statement = serializers.CharField(
        help_text=_("The words signed, or to be signed, in your language.")
    )
    candidates = DeclarationCandidateSerializer(many=True)
    conflicts = ConflictSerializer(many=True)


class ConflictInputSerializer(serializers.Serializer):
    application = serializers.IntegerField(label=_("application"))
    ground = _ground(required=False, default=Conflict.Ground.OTHER, label=_("ground"))
    details = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        label=_("details"),
        help_text=_("Required for “another tie”."),
    )


class DeclarationInputSerializer(serializers.Serializer):
    conflicts = ConflictInputSerializer(many=True, required=False, label=_("conflicts of interest"))


# Assignments and progress ---------------------------------------------------------

REVIEW_TRANSITION_NAMES = frozenset({"submit", "reopen", "recuse"})


class AssignmentSerializer(serializers.Serializer):
    """One member on one application, and where the review stands; no scores."""

    id = serializers.IntegerField(source="review_id", help_text=_("The review's id."))
    application = serializers.IntegerField(source="application_id")
    number = serializers.CharField()
    title = serializers.CharField()
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member")
    status = _review_status()
    status_display = serializers.CharField(source="status_label")
    submitted_at = UTCDateTimeField(allow_null=True)
    available_transitions = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_transitions(self, row) -> list[str]:
        return [name for name in row.transitions if name in REVIEW_TRANSITION_NAMES]


class PlannedMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PlannedApplicationSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    number = serializers.CharField()
    members = PlannedMemberSerializer(many=True)


class MemberLoadSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    before = serializers.IntegerField(help_text=_("Applications held now."))
    after = serializers.IntegerField(help_text=_("Applications held after the plan."))


class AssignmentPreviewSerializer(serializers.Serializer):
    """What automatic assignment would do now; nothing is saved."""

    plan = PlannedApplicationSerializer(many=True)
    loads = MemberLoadSerializer(many=True)
    unsigned = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("Members not assignable until they sign the declaration."),
    )


class AssignmentApplyInputSerializer(serializers.Serializer):
    """Either a plan {application id: [member ids]} (as previewed, or by hand)
    or `auto`: plan and apply in one step."""

    plan = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        required=False,
        label=_("plan"),
    )
    auto = serializers.BooleanField(required=False, default=False, label=_("automatic"))

    def validate(self, data):
        if data.get("auto") == ("plan" in data):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Give either a plan or “auto”: true.")]}
            )
        return data


class StatusCountsSerializer(serializers.Serializer):
    assigned = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    submitted = serializers.IntegerField()
    recused = serializers.IntegerField()


class MemberProgressSerializer(StatusCountsSerializer):
    member = serializers.IntegerField()
    name = serializers.CharField()


class ApplicationProgressSerializer(StatusCountsSerializer):
    application = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()


class ProgressSerializer(serializers.Serializer):
    """Who has scored what: counts of reviews by status, never scores."""

    total = serializers.IntegerField()
    by_status = StatusCountsSerializer()
    members = MemberProgressSerializer(many=True)
    applications = ApplicationProgressSerializer(many=True)


# Reviews -------------------------------------------------------------------------


class ReviewApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    applicant = serializers.CharField(source="group.name")
    competition = serializers.IntegerField(source="competition_id")
    competition_title = serializers.CharField(source="competition.title")


class ReviewScoreSerializer(serializers.Serializer):
    points = two_places()
    comment = serializers.CharField()
    updated_at = UTCDateTimeField()


class ReviewCriterionSerializer(serializers.Serializer):
    """A criterion with its guidance, and your score on it (null: not yet)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    guidance = serializers.CharField()
    max_points = two_places()
    weight = two_places()
    position = serializers.IntegerField()
    score = serializers.SerializerMethodField()

    @extend_schema_field(ReviewScoreSerializer(allow_null=True))
    def get_score(self, criterion) -> dict | None:
        score = self.context["scores"].get(criterion.pk)
        return ReviewScoreSerializer(score).data if score is not None else None


def _scores_of(review) -> dict:
    return {score.criterion_id: score for score in review.scores.all()}


class ReviewSerializer(StateSerializerMixin, ModelSerializer):
    """One of your reviews, as listed: your own scores only."""

    application = ReviewApplicationSerializer(read_only=True)
    total = serializers.SerializerMethodField(
        help_text=_("Your weighted total so far (points × weight).")
    )
    scored = serializers.SerializerMethodField(help_text=_("Criteria scored so far."))
    criteria_count = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "application",
            "status",
            "status_display",
            "available_transitions",
            "total",
            "scored",
            "criteria_count",
            "assigned_at",
            "updated_at",
            "submitted_at",
        ]
        read_only_fields = fields

    @extend_schema_field(two_places())
    def get_total(self, review) -> str:
        criteria = {c.pk: c for c in review.application.competition.criteria.all()}
        total = sum(
            (s.points * criteria[s.criterion_id].weight for s in review.scores.all()),
            start=0,
        )
        return two_places().to_representation(total)

    def get_scored(self, review) -> int:
        return len(review.scores.all())

    def get_criteria_count(self, review) -> int:
        return len(review.application.competition.criteria.all())


class ReviewSubmissionSerializer(serializers.Serializer):
    """The application as submitted (its latest version), read-only."""

    version = serializers.IntegerField()
    created_at = UTCDateTimeField()
    data = serializers.JSONField()


class ReviewDetailSerializer(ReviewSerializer):
    """Your review with the application as submitted, the criteria with their
    guidance and your scores."""

    criteria = serializers.SerializerMethodField()
    max_total = serializers.SerializerMethodField()
    submission = serializers.SerializerMethodField()

    class Meta(ReviewSerializer.Meta):
        fields = [
            *ReviewSerializer.Meta.fields,
            "comment",
            "max_total",
            "criteria",
            "submission",
        ]
        read_only_fields = fields

    @extend_schema_field(ReviewCriterionSerializer(many=True))
    def get_criteria(self, review) -> list:
        context = {**self.context, "scores": _scores_of(review)}
        return ReviewCriterionSerializer(
            review.application.competition.criteria.all(), many=True, context=context
        ).data

    @extend_schema_field(two_places())
    def get_max_total(self, review) -> str:
        criteria = review.application.competition.criteria.all()
        return two_places().to_representation(
            sum((c.max_points * c.weight for c in criteria), start=0)
        )

    @extend_schema_field(ReviewSubmissionSerializer(allow_null=True))
    def get_submission(self, review) -> dict | None:
        versions = list(review.application.snapshots.all())
        if not versions:
            return None
        latest = max(versions, key=lambda snapshot: snapshot.version)
        return ReviewSubmissionSerializer(latest).data


class ReviewMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField(source="user.full_name")
    affiliation = _affiliation()


class ReviewOverviewSerializer(StateSerializerMixin, ModelSerializer):
    """A review as the chair or an official follows it: who and where it
    stands, no scores."""

    application = ReviewApplicationSerializer(read_only=True)
    member = ReviewMemberSerializer(read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "application",
            "member",
            "status",
            "status_display",
            "available_transitions",
            "assigned_at",
            "updated_at",
            "submitted_at",
        ]
        read_only_fields = fields


class ScoreInputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(label=_("criterion"))
    points = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        min_value=0,
        allow_null=True,
        label=_("points"),
        help_text=_("From 0 to the criterion's maximum; null removes the score."),
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, label=_("comment")
    )


class ReviewDraftInputSerializer(serializers.Serializer):
    """Scores to save (criteria not listed keep theirs) and the overall comment."""

    scores = ScoreInputSerializer(many=True, required=False, label=_("scores"))
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=10000, label=_("overall comment")
    )


class ReviewReopenInputSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=5000, label=_("comment"), help_text=_("Why the review is reopened.")
    )


class ReviewRecuseInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, label=_("reason"), help_text=_("The conflict, described.")
    )
    ground = _ground(required=False, default=Conflict.Ground.OTHER, label=_("ground"))


class ReviewTransitionInputSerializer(serializers.Serializer):
    """The body of a review's transition (documentation only): `submit` takes
    `scores` and `comment` as a draft does; `reopen` a `comment`, required;
    `recuse` a `reason`, required, and a `ground`."""

    scores = ScoreInputSerializer(many=True, required=False, label=_("scores"))
    comment = serializers.CharField(required=False, allow_blank=True, label=_("comment"))
    reason = serializers.CharField(required=False, label=_("reason"))
    ground = _ground(required=False, label=_("ground"))


# What the applicant reads --------------------------------------------------------


class ApplicantScoreSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    max_points = two_places()
    points = two_places()
    comment = serializers.CharField()


class ApplicantReviewSerializer(serializers.Serializer):
    """A review of your application, without its author."""

    label = serializers.CharField()
    total = two_places()
    comment = serializers.CharField()
    scores = ApplicantScoreSerializer(many=True)


# Competition transitions ----------------------------------------------------------


class StartReviewInputSerializer(TransitionInputSerializer):
    no_ngo_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        label=_("why the commission has no NGO representative"),
        help_text=_("Required when the commission has no representative of NGOs."),
    )
