"""The exports in the REST API.

- `/api/v1/exports/`: an official's background exports (their operators'):
  list, start one (POST competition and kind: 202 with the job), follow it,
  and download the file once it is ready (409 before, 410 after it expired).
  Anonymous requests get 401.
- `/api/v1/public/results/`: the awards of decided competitions, for
  anybody, filterable by `?competition=<id>`.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.api import Conflict
from core.files import private_file_response

from . import public, selectors
from .builders import XLSX_MIME
from .models import ExportJob
from .services import export_job_start, export_jobs_visible_to


class Gone(APIException):
    status_code = status.HTTP_410_GONE
    default_detail = gettext_lazy("This file has expired.")
    default_code = "gone"


class ExportJobSerializer(serializers.ModelSerializer):
    competition = serializers.PrimaryKeyRelatedField(read_only=True)
    requested_by = serializers.CharField(source="requested_by.full_name", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "competition",
            "kind",
            "status",
            "progress",
            "rows_done",
            "rows_total",
            "filename",
            "size",
            "error",
            "requested_by",
            "language",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, job) -> str | None:
        if not job.is_available():
            return None
        url = reverse("api-export-download", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class ExportJobStartSerializer(serializers.Serializer):
    competition = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ExportJob.Kind.choices)


# Token first: an anonymous request is then answered 401 with a
# WWW-Authenticate header, not 403.
AUTHENTICATION = [TokenAuthentication, SessionAuthentication]


@extend_schema_view(
    list=extend_schema(tags=["exports"]),
    retrieve=extend_schema(tags=["exports"]),
)
class ExportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    authentication_classes = AUTHENTICATION
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ExportJobSerializer
    lookup_value_regex = "[0-9]+"
    filterset_fields = ["competition", "kind", "status"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return export_jobs_visible_to(self.request.user)

    @extend_schema(
        tags=["exports"],
        request=ExportJobStartSerializer,
        responses={202: ExportJobSerializer},
    )
    def create(self, request):
        data = ExportJobStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        competition = selectors.competition_for_official(
            request.user, data.validated_data["competition"]
        )
        job = export_job_start(
            competition=competition, kind=data.validated_data["kind"], actor=request.user
        )
        return Response(
            ExportJobSerializer(job, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(tags=["exports"], responses={(200, XLSX_MIME): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        if job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING):
            raise Conflict(detail={"non_field_errors": [_("The file is not ready yet.")]})
        if job.status == ExportJob.Status.FAILED:
            raise Conflict(detail={"non_field_errors": [job.error or _("The export failed.")]})
        if not job.is_available():
            raise Gone()
        return private_file_response(job.file, filename=job.filename, content_type=XLSX_MIME)


class PublicApplicantSerializer(serializers.Serializer):
    name = serializers.CharField()
    krs = serializers.CharField(required=False)
    nip = serializers.CharField(required=False)
    regon = serializers.CharField(required=False)


class PublicResultSerializer(serializers.Serializer):
    competition = serializers.IntegerField()
    competition_title = serializers.CharField()
    operator = serializers.CharField()
    number = serializers.CharField()
    applicant = PublicApplicantSerializer()
    title = serializers.CharField()
    amount_awarded = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    award_date = serializers.DateField()

    def to_representation(self, application):
        result = selectors.as_public(application)
        competition = application.competition
        return {
            "competition": competition.pk,
            "competition_title": competition.title,
            "operator": competition.operator.name,
            **public.result_record(result),
        }


@extend_schema_view(
    list=extend_schema(
        tags=["public"],
        parameters=[OpenApiParameter("competition", int, description="A competition's id.")],
    )
)
class PublicResultViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Awards of decided competitions: applicant, title, amount, award date."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    serializer_class = PublicResultSerializer
    filter_backends = []

    def get_queryset(self):
        found = selectors.public_results_all()
        competition = self.request.query_params.get("competition")
        if competition:
            if not competition.isdigit():
                return found.none()
            found = found.filter(competition_id=int(competition))
        return found


router = SimpleRouter()
router.register("exports", ExportJobViewSet, basename="api-export")
router.register("public/results", PublicResultViewSet, basename="api-public-result")

# Included under /api/v1/.
urlpatterns = router.urls
