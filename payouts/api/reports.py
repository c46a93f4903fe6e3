"""Reports over the API: a partial report asked for by an official, the final
report opened by the grantee, the draft saved in parts, its files, the
transitions submit / resubmit / accept / return_for_changes, and the history."""

import django_filters
from django.utils.translation import gettext as _
from django_fsm import can_proceed
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api import ApiViewMixin, TransitionsMixin
from core.errors import WrongState
from core.files import private_file_response

from .. import selectors, services
from ..models import Report, ReportAttachment
from .inputs import (
    ReportAttachmentInputSerializer,
    ReportCreateSerializer,
    ReportInputSerializer,
    ReportTransitionInputSerializer,
    ReturnInputSerializer,
)
from .serializers import (
    PayoutHistoryEntrySerializer,
    ReportAttachmentSerializer,
    ReportDetailSerializer,
    ReportSerializer,
)


class ReportFilter(django_filters.FilterSet):
    grant = django_filters.NumberFilter(field_name="grant_id")
    competition = django_filters.NumberFilter(field_name="grant__competition_id")
    group = django_filters.NumberFilter(field_name="grant__group_id")
    kind = django_filters.ChoiceFilter(choices=Report.Kind.choices)
    status = django_filters.MultipleChoiceFilter(choices=Report.Status.choices)

    class Meta:
        model = Report
        fields = ["grant", "competition", "group", "kind", "status"]


def _submitting(name: str):
    # One service submits a draft and resubmits a returned report, picking the
    # transition by the state. Each name still runs only from its own state,
    # so `resubmit` on a draft is a 409 like any transition from the wrong state.
    def submit(report, actor, data):
        if not can_proceed(getattr(report, name), check_conditions=False):
            raise WrongState(
                _("This cannot be done now: the current status is “%(status)s”.")
                % {"status": report.get_status_display()}
            )
        return services.report_submit(report=report, actor=actor)

    return submit


def _accept(report, actor, data):
    return services.report_accept(report=report, actor=actor, comment=data.get("comment", ""))


def _return(report, actor, data):
    return services.report_return(report=report, actor=actor, comment=data["comment"])


REPORT_TRANSITIONS = {
    "submit": _submitting("submit"),
    "resubmit": _submitting("resubmit"),
    "accept": _accept,
    "return_for_changes": _return,
}


@extend_schema_view(
    list=extend_schema(summary="Reports you may see"),
    retrieve=extend_schema(responses=ReportDetailSerializer),
    create=extend_schema(
        request=ReportCreateSerializer,
        responses={201: ReportDetailSerializer, 200: ReportDetailSerializer},
        description=(
            "`kind: partial`: an official asks for a partial report by `due_date`. "
            "`kind: final`: the grant's final report, created on first use (201) and "
            "returned as it is after that (200)."
        ),
    ),
    partial_update=extend_schema(
        request=ReportInputSerializer,
        responses=ReportDetailSerializer,
        description=(
            "Save the draft (or a returned report): the narrative, spending per budget line "
            "by source, results per indicator. 409 once it cannot be changed."
        ),
    ),
)
@extend_schema(tags=["reports"])
class ReportViewSet(
    ApiViewMixin,
    TransitionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The reports of the grants you may see: written and submitted by the
    grantee, accepted or returned by the operator's officials."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = "[0-9]+"
    filterset_class = ReportFilter
    ordering_fields = ["due_date", "submitted_at", "created_at"]
    transition_services = REPORT_TRANSITIONS
    transition_input_serializers = {"return_for_changes": ReturnInputSerializer}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Report.objects.none()
        return selectors.reports_visible_to(self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return ReportSerializer
        if self.action == "create":
            return ReportCreateSerializer
        if self.action == "partial_update":
            return ReportInputSerializer
        return ReportDetailSerializer

    def _detail(self, pk, status_code=status.HTTP_200_OK) -> Response:
        fresh = selectors.report_detail(self.request.user, pk)
        serializer = ReportDetailSerializer(fresh, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)

    def retrieve(self, request, pk=None):
        return self._detail(pk)

    def create(self, request):
        payload = ReportCreateSerializer(
            data=request.data, grants=selectors.grants_visible_to(request.user)
        )
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        grant = data["grant"]
        if data["kind"] == Report.Kind.PARTIAL:
            report = services.report_request(
                grant=grant,
                actor=request.user,
                due_date=data["due_date"],
                comment=data.get("comment", ""),
            )
            return self._detail(report.pk, status.HTTP_201_CREATED)
        existed = grant.reports.filter(kind=Report.Kind.FINAL).exists()
        report = services.report_final_open(grant=grant, actor=request.user)
        return self._detail(report.pk, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        report = self.get_object()
        payload = ReportInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        for rows in ("lines", "results"):
            if rows in data:
                data[rows] = [dict(row) for row in data[rows]]
        services.report_save(report=report, actor=request.user, data=data)
        return self._detail(report.pk)

    @extend_schema(
        request=ReportTransitionInputSerializer,
        responses=ReportDetailSerializer,
        parameters=[
            OpenApiParameter("name", str, OpenApiParameter.PATH, enum=sorted(REPORT_TRANSITIONS))
        ],
        description=(
            "Run a transition named in `available_transitions`; answers with the refreshed "
            "report. A draft is submitted with `submit`, a returned report with `resubmit`. "
            "409 when the report is not in a state that allows it."
        ),
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transitions(self, request, pk=None, name=None):
        return super().transitions(request, pk=pk, name=name)

    @extend_schema(responses=PayoutHistoryEntrySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        report = self.get_object()
        entries = self.paginate_queryset(selectors.report_history(report))
        return self.get_paginated_response(PayoutHistoryEntrySerializer(entries, many=True).data)


REPORT_PK = OpenApiParameter("report_pk", int, OpenApiParameter.PATH)


@extend_schema_view(
    create=extend_schema(
        request={"multipart/form-data": ReportAttachmentInputSerializer},
        responses={201: ReportAttachmentSerializer},
        description=(
            "Upload a file (multipart) to a report being drafted. Its type is read from the "
            "content; size and type limits are the installation's."
        ),
    ),
)
@extend_schema(parameters=[REPORT_PK], tags=["reports"])
class ReportAttachmentViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Files of one report (invoices, photos, lists of participants): added
    and removed by the grantee while the report can be changed, downloaded by
    whoever may see the report. A report you cannot see is 404."""

    serializer_class = ReportAttachmentSerializer
    parser_classes = [MultiPartParser, FormParser]
    pagination_class = None
    filter_backends = []
    lookup_value_regex = "[0-9]+"

    def report(self) -> Report:
        if not hasattr(self, "_report"):
            self._report = get_object_or_404(
                selectors.reports_visible_to(self.request.user), pk=self.kwargs["report_pk"]
            )
        return self._report

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReportAttachment.objects.none()
        return self.report().attachments.all()

    def create(self, request, report_pk=None):
        report = self.report()
        payload = ReportAttachmentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        attachment = services.report_attachment_add(
            report=report,
            actor=request.user,
            upload=payload.validated_data["file"],
            description=payload.validated_data.get("description", ""),
        )
        return Response(self.get_serializer(attachment).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, report_pk=None, pk=None):
        services.report_attachment_delete(
            report=self.report(), actor=request.user, attachment=self.get_object()
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file as uploaded."
            )
        },
        description="The file itself, only to those who may see the report.",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, report_pk=None, pk=None):
        attachment = selectors.report_attachment_for_download(request.user, pk)
        if attachment.report_id != self.report().pk:
            raise exceptions.NotFound(_("Not found."))
        return private_file_response(
            attachment.file, filename=attachment.original_name, content_type=attachment.content_type
        )
