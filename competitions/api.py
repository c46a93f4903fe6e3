"""Competitions over the API: the officials' setup of a competition and its
parts, the transitions publish / close / cancel, and the anonymous public list."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.api import ApiViewMixin, ModelSerializer, StateSerializerMixin, TransitionsMixin
from reviews.api.competitions import REVIEW_TRANSITION_INPUTS, REVIEW_TRANSITIONS

from . import selectors, services
from .models import ChecklistItem, Competition, Criterion, FormQuestion, Operator

# Serializers ---------------------------------------------------------------


class OperatorBriefSerializer(ModelSerializer):
    class Meta:
        model = Operator
        fields = ["id", "name", "slug"]


class CriterionSerializer(ModelSerializer):
    """Input and output of one scoring criterion."""

    class Meta:
        model = Criterion
        fields = ["id", "name", "guidance", "max_points", "weight", "position"]
        read_only_fields = ["id"]


class ChecklistItemSerializer(ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "text", "correctable", "position"]
        read_only_fields = ["id"]


class FormQuestionSerializer(ModelSerializer):
    choices = serializers.ListField(
        child=serializers.CharField(max_length=300),
        required=False,
        max_length=100,
        label=_("choices"),
        help_text=_("For a choice question: the options."),
    )

    class Meta:
        model = FormQuestion
        fields = [
            "id",
            "label",
            "help_text",
            "kind",
            "required",
            "choices",
            "max_length",
            "position",
        ]
        read_only_fields = ["id"]


# Every setting an official may give a draft competition, in the model's order.
COMPETITION_SETTINGS = list(services.COMPETITION_FIELDS)


class CompetitionInputSerializer(ModelSerializer):
    """What an official sets on a draft competition. Validates types and
    ranges only; the service checks the rules between the settings."""

    class Meta:
        model = Competition
        fields = COMPETITION_SETTINGS


class CompetitionCreateSerializer(CompetitionInputSerializer):
    operator = serializers.PrimaryKeyRelatedField(
        queryset=Operator.objects.all(), label=_("operator")
    )

    class Meta(CompetitionInputSerializer.Meta):
        fields = ["operator", *COMPETITION_SETTINGS]


class CompetitionSerializer(StateSerializerMixin, ModelSerializer):
    """A competition as listed."""

    operator = OperatorBriefSerializer(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    submitted_count = serializers.IntegerField(
        read_only=True,
        help_text=_("Applications submitted so far (drafts and withdrawn excluded)."),
    )

    class Meta:
        model = Competition
        fields = [
            "id",
            "operator",
            "status",
            "status_display",
            "available_transitions",
            "kind_display",
            *COMPETITION_SETTINGS,
            "published_at",
            "created_at",
            "submitted_count",
        ]
        read_only_fields = fields


class CompetitionDetailSerializer(CompetitionSerializer):
    """A competition with its criteria, formal checklist and form questions."""

    criteria = CriterionSerializer(many=True, read_only=True)
    checklist_items = ChecklistItemSerializer(many=True, read_only=True)
    questions = FormQuestionSerializer(many=True, read_only=True)

    class Meta(CompetitionSerializer.Meta):
        fields = [*CompetitionSerializer.Meta.fields, "criteria", "checklist_items", "questions"]
        read_only_fields = fields


PUBLIC_FIELDS = [
    "title",
    "kind",
    "number_prefix",
    "year",
    "summary",
    "rules",
    "submission_deadline",
    "budget_total",
    "grant_min",
    "grant_max",
    "implementation_start",
    "implementation_end",
    "max_project_days",
    "own_contribution_min_pct",
    "own_financial_min_pct",
    "admin_costs_max_pct",
    "volunteer_hour_rate",
    "correction_window_days",
    "score_threshold_pct",
]


class PublicCompetitionSerializer(StateSerializerMixin, ModelSerializer):
    """What anybody may read: the rules of the competition, never a person."""

    operator = serializers.CharField(source="operator.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)
    checklist_items = ChecklistItemSerializer(many=True, read_only=True)
    questions = FormQuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Competition
        fields = [
            "id",
            "operator",
            "status",
            "status_display",
            "available_transitions",
            "kind_display",
            *PUBLIC_FIELDS,
            "published_at",
            "criteria",
            "checklist_items",
            "questions",
        ]
        read_only_fields = fields


class CompetitionFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Competition.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Competition.Kind.choices)
    operator = django_filters.NumberFilter(field_name="operator_id")

    class Meta:
        model = Competition
        fields = ["status", "kind", "operator"]


# Views ---------------------------------------------------------------------


def _publish(competition, actor, data):
    return services.competition_publish(
        competition=competition, actor=actor, comment=data.get("comment", "")
    )


def _close(competition, actor, data):
    return services.competition_close(
        competition=competition, actor=actor, comment=data.get("comment", "")
    )


def _archive(competition, actor, data):
    return services.competition_archive(
        competition=competition, actor=actor, comment=data.get("comment", "")
    )


def _cancel(competition, actor, data):
    return services.competition_cancel(
        competition=competition, actor=actor, comment=data.get("comment", "")
    )


@extend_schema_view(
    list=extend_schema(summary="Competitions you may see", responses=CompetitionSerializer),
    retrieve=extend_schema(responses=CompetitionDetailSerializer),
    create=extend_schema(
        request=CompetitionCreateSerializer, responses={201: CompetitionDetailSerializer}
    ),
    partial_update=extend_schema(
        request=CompetitionInputSerializer, responses=CompetitionDetailSerializer
    ),
)
@extend_schema(tags=["competitions"])
class CompetitionViewSet(
    ApiViewMixin,
    TransitionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Everyone logged in sees the public competitions; officials also their
    operator's drafts. Officials create and change drafts."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = "[0-9]+"
    filterset_class = CompetitionFilter
    ordering_fields = ["submission_deadline", "title", "created_at"]
    transition_services = {
        "publish": _publish,
        "close": _close,
        "cancel": _cancel,
        "archive": _archive,
        **REVIEW_TRANSITIONS,
    }
    transition_input_serializers = REVIEW_TRANSITION_INPUTS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Competition.objects.none()
        competitions = selectors.competitions_visible_to(self.request.user)
        if self.action != "list":
            competitions = competitions.prefetch_related("criteria", "checklist_items", "questions")
        return competitions

    def get_serializer_class(self):
        if self.action == "list":
            return CompetitionSerializer
        if self.action == "create":
            return CompetitionCreateSerializer
        if self.action == "partial_update":
            return CompetitionInputSerializer
        return CompetitionDetailSerializer

    def _detail(self, competition, status_code=status.HTTP_200_OK):
        fresh = selectors.competition_detail(self.request.user, competition.pk)
        context = self.get_serializer_context()
        return Response(CompetitionDetailSerializer(fresh, context=context).data, status_code)

    def create(self, request):
        payload = CompetitionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        operator = data.pop("operator")
        competition = services.competition_create(operator=operator, actor=request.user, data=data)
        return self._detail(competition, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        competition = self.get_object()
        payload = CompetitionInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.competition_update(
            competition=competition, actor=request.user, data=payload.validated_data
        )
        return self._detail(competition)


COMPETITION_PK = OpenApiParameter("competition_pk", int, OpenApiParameter.PATH)


class CompetitionPartViewSet(ApiViewMixin, viewsets.ModelViewSet):
    """The criteria, checklist items or questions of one competition: readable
    by whoever sees the competition, written by its officials while a draft."""

    model: type = None
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    lookup_value_regex = "[0-9]+"
    pagination_class = None
    filter_backends = []

    def competition(self) -> Competition:
        if not hasattr(self, "_competition"):
            self._competition = get_object_or_404(
                selectors.competitions_visible_to(self.request.user),
                pk=self.kwargs["competition_pk"],
            )
        return self._competition

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.model.objects.filter(competition=self.competition())

    def _save(self, request, instance=None, partial=False):
        competition = self.competition()
        payload = self.get_serializer(instance, data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        saved = services.competition_part_save(
            competition=competition,
            actor=request.user,
            model=self.model,
            data=payload.validated_data,
            instance=instance,
        )
        return self.get_serializer(saved).data

    def create(self, request, competition_pk=None):
        return Response(self._save(request), status=status.HTTP_201_CREATED)

    def update(self, request, competition_pk=None, pk=None, partial=False):
        return Response(self._save(request, self.get_object(), partial))

    def destroy(self, request, competition_pk=None, pk=None):
        services.competition_part_delete(
            competition=self.competition(), actor=request.user, instance=self.get_object()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[COMPETITION_PK], tags=["competitions"])
class CriterionViewSet(CompetitionPartViewSet):
    model = Criterion
    serializer_class = CriterionSerializer


@extend_schema(parameters=[COMPETITION_PK], tags=["competitions"])
class ChecklistItemViewSet(CompetitionPartViewSet):
    model = ChecklistItem
    serializer_class = ChecklistItemSerializer


@extend_schema(parameters=[COMPETITION_PK], tags=["competitions"])
class FormQuestionViewSet(CompetitionPartViewSet):
    model = FormQuestion
    serializer_class = FormQuestionSerializer


@extend_schema(tags=["public"])
class PublicCompetitionViewSet(viewsets.ReadOnlyModelViewSet):
    """Published competitions and later ones, for anybody, without logging in."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    serializer_class = PublicCompetitionSerializer
    lookup_value_regex = "[0-9]+"
    filterset_class = CompetitionFilter
    ordering_fields = ["submission_deadline", "title"]

    def get_queryset(self):
        return selectors.public_competitions().prefetch_related(
            "criteria", "checklist_items", "questions"
        )
