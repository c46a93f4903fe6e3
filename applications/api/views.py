"""Applications over the API: drafts and their parts, answers, files, the
blocking problems, history, submitted versions and the transitions."""

from decimal import Decimal

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api import ApiViewMixin, TransitionsMixin
from core.files import private_file_response

from .. import selectors, services
from ..models import (
    Application,
    ApplicationSnapshot,
    Attachment,
    BudgetLine,
    Indicator,
    ScheduleItem,
)
from ..rules import budget_totals, submission_problems
from .formal import FORMAL_TRANSITION_INPUTS, FORMAL_TRANSITIONS
from .serializers import (
    ApplicationCreateSerializer,
    ApplicationDetailSerializer,
    ApplicationInputSerializer,
    ApplicationSerializer,
    AttachmentInputSerializer,
    AttachmentSerializer,
    BudgetLineSerializer,
    HistoryEntrySerializer,
    IndicatorSerializer,
    ProblemsSerializer,
    ScheduleItemSerializer,
    SnapshotDetailSerializer,
    SnapshotSerializer,
)


class ApplicationFilter(django_filters.FilterSet):
    competition = django_filters.NumberFilter(field_name="competition_id")
    group = django_filters.NumberFilter(field_name="group_id")
    status = django_filters.MultipleChoiceFilter(choices=Application.Status.choices)

    class Meta:
        model = Application
        fields = ["competition", "group", "status"]


class AwardFromReserveInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        label=gettext_lazy("amount awarded"),
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)


def _award_from_reserve(application, actor, data):
    from reviews.services import award_from_reserve

    return award_from_reserve(
        application=application,
        actor=actor,
        amount=data["amount"],
        comment=data.get("comment", ""),
    )


def _submit(application, actor, data):
    # One service for the first submission and for a corrected one: it picks
    # `submit` or `resubmit` from the state, so both names lead here.
    return services.application_submit(application=application, actor=actor)


def _withdraw(application, actor, data):
    return services.application_withdraw(
        application=application, actor=actor, comment=data.get("comment", "")
    )


ANSWERS_DESCRIPTION = (
    "Answers to the competition's questions as a JSON object {question id: value}. "
    "PUT and PATCH both save the answers given and keep the others; all or nothing."
)

# Actions that show the whole application read its parts in a fixed number of
# queries; the others need only the row and its competition.
DETAIL_ACTIONS = {"retrieve", "transitions", "problems"}


@extend_schema_view(
    list=extend_schema(summary="Applications you may see"),
    create=extend_schema(
        request=ApplicationCreateSerializer, responses={201: ApplicationDetailSerializer}
    ),
    partial_update=extend_schema(
        request=ApplicationInputSerializer,
        responses=ApplicationDetailSerializer,
        description="Autosave of the application's fields; 409 once it cannot be changed.",
    ),
)
@extend_schema(tags=["applications"])
class ApplicationViewSet(
    ApiViewMixin,
    TransitionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Group members see their group's applications, drafts included; officials
    see the submitted applications of their operator's competitions."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    lookup_value_regex = "[0-9]+"
    filterset_class = ApplicationFilter
    ordering_fields = ["updated_at", "created_at", "submitted_at", "number", "title"]
    transition_services = {
        "submit": _submit,
        "resubmit": _submit,
        "withdraw": _withdraw,
        **FORMAL_TRANSITIONS,
        "award_from_reserve": _award_from_reserve,
    }
    transition_input_serializers = {
        **FORMAL_TRANSITION_INPUTS,
        "award_from_reserve": AwardFromReserveInputSerializer,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        applications = selectors.applications_visible_to(self.request.user)
        if self.action in DETAIL_ACTIONS:
            applications = applications.prefetch_related(*selectors.application_parts_prefetch())
        return applications

    def get_serializer_class(self):
        if self.action == "list":
            return ApplicationSerializer
        if self.action == "create":
            return ApplicationCreateSerializer
        if self.action == "partial_update":
            return ApplicationInputSerializer
        return ApplicationDetailSerializer

    def _detail(self, application, status_code=status.HTTP_200_OK):
        fresh = selectors.application_detail(self.request.user, application.pk)
        serializer = ApplicationDetailSerializer(fresh, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)

    def create(self, request):
        payload = ApplicationCreateSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
        application = services.application_create(
            competition=payload.validated_data["competition"],
            group=payload.validated_data["group"],
            actor=request.user,
        )
        return self._detail(application, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        application = self.get_object()
        payload = ApplicationInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.application_update(
            application=application, actor=request.user, data=payload.validated_data
        )
        return self._detail(application)

    @extend_schema(
        responses=ProblemsSerializer,
        description="Everything that still blocks the submission, with the budget's sums.",
    )
    @action(detail=True, methods=["get"])
    def problems(self, request, pk=None):
        application = self.get_object()
        problems = submission_problems(application)
        body = {
            "ready": not problems,
            "problems": [problem.as_dict() for problem in problems],
            "budget_totals": budget_totals(application.budget_lines.all()),
        }
        return Response(ProblemsSerializer(body).data)

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        application = self.get_object()
        entries = self.paginate_queryset(
            selectors.application_history_for(request.user, application)
        )
        return self.get_paginated_response(HistoryEntrySerializer(entries, many=True).data)

    @extend_schema(responses=OpenApiTypes.OBJECT, description="Answers as {question id: value}.")
    @action(detail=True, methods=["get"])
    def answers(self, request, pk=None):
        application = self.get_object()
        return Response(_answers_of(application))

    @extend_schema(
        request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT, description=ANSWERS_DESCRIPTION
    )
    @answers.mapping.put
    def put_answers(self, request, pk=None):
        return self._save_answers(request)

    @extend_schema(
        request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT, description=ANSWERS_DESCRIPTION
    )
    @answers.mapping.patch
    def patch_answers(self, request, pk=None):
        return self._save_answers(request)

    def _save_answers(self, request):
        application = self.get_object()
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError(
                {"answers": [_("Expected a JSON object of {question id: answer}.")]}
            )
        services.answers_save(application=application, actor=request.user, answers=request.data)
        return Response(_answers_of(application))


def _answers_of(application) -> dict:
    return {str(a.question_id): a.value for a in application.answers.all()}


APPLICATION_PK = OpenApiParameter("application_pk", int, OpenApiParameter.PATH)


class NestedInApplicationMixin(ApiViewMixin):
    """A resource under `applications/{application_pk}/`; an application you
    cannot see is 404, whatever is asked of it."""

    lookup_value_regex = "[0-9]+"
    filter_backends = []

    def application(self) -> Application:
        if not hasattr(self, "_application"):
            self._application = get_object_or_404(
                selectors.applications_visible_to(self.request.user),
                pk=self.kwargs["application_pk"],
            )
        return self._application


class ApplicationPartViewSet(NestedInApplicationMixin, viewsets.ModelViewSet):
    """Budget lines, schedule items or indicators of one application: read by
    whoever sees it, written by its group while it can be changed."""

    model: type = None
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.model.objects.filter(application=self.application())

    def _save(self, request, instance=None, partial=False):
        application = self.application()
        payload = self.get_serializer(instance, data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        saved = services.part_save(
            application=application,
            actor=request.user,
            model=self.model,
            data=payload.validated_data,
            instance=instance,
        )
        return self.get_serializer(saved).data

    def create(self, request, application_pk=None):
        return Response(self._save(request), status=status.HTTP_201_CREATED)

    def update(self, request, application_pk=None, pk=None, partial=False):
        return Response(self._save(request, self.get_object(), partial))

    def destroy(self, request, application_pk=None, pk=None):
        services.part_delete(
            application=self.application(), actor=request.user, instance=self.get_object()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[APPLICATION_PK], tags=["applications"])
class BudgetLineViewSet(ApplicationPartViewSet):
    model = BudgetLine
    serializer_class = BudgetLineSerializer


@extend_schema(parameters=[APPLICATION_PK], tags=["applications"])
class ScheduleItemViewSet(ApplicationPartViewSet):
    model = ScheduleItem
    serializer_class = ScheduleItemSerializer


@extend_schema(parameters=[APPLICATION_PK], tags=["applications"])
class IndicatorViewSet(ApplicationPartViewSet):
    model = Indicator
    serializer_class = IndicatorSerializer


@extend_schema_view(
    create=extend_schema(
        request={"multipart/form-data": AttachmentInputSerializer},
        responses={201: AttachmentSerializer},
        description=(
            "Upload a file (multipart). Its type is read from the content; size and "
            "type limits are the installation's."
        ),
    ),
)
@extend_schema(parameters=[APPLICATION_PK], tags=["applications"])
class AttachmentViewSet(
    NestedInApplicationMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Files of one application: uploaded by its group while it can be changed,
    downloaded by whoever may see the application."""

    serializer_class = AttachmentSerializer
    parser_classes = [MultiPartParser, FormParser]
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Attachment.objects.none()
        return self.application().attachments.all()

    def create(self, request, application_pk=None):
        application = self.application()
        payload = AttachmentInputSerializer(
            data=request.data, context={"request": request, "application": application}
        )
        payload.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            application=application,
            actor=request.user,
            upload=payload.validated_data["file"],
            question=payload.validated_data.get("question"),
            description=payload.validated_data.get("description", ""),
        )
        return Response(self.get_serializer(attachment).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, application_pk=None, pk=None):
        services.attachment_delete(
            application=self.application(), actor=request.user, attachment=self.get_object()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file as uploaded."
            )
        },
        description="The file itself, only to those who may see the application.",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, application_pk=None, pk=None):
        attachment = self.get_object()
        return private_file_response(
            attachment.file, filename=attachment.original_name, content_type=attachment.content_type
        )


@extend_schema(parameters=[APPLICATION_PK], tags=["applications"])
class SnapshotViewSet(NestedInApplicationMixin, viewsets.ReadOnlyModelViewSet):
    """What was submitted, one version per submission, never changed."""

    lookup_field = "version"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApplicationSnapshot.objects.none()
        return self.application().snapshots.select_related("submitted_by")

    def get_serializer_class(self):
        return SnapshotSerializer if self.action == "list" else SnapshotDetailSerializer
