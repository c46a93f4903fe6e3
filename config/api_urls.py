"""The REST API under /api/v1/, its OpenAPI schema and docs (served from the
installed sidecar package, so they work offline)."""

import json

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from applications.api import (
    ApplicantGroupViewSet,
    ApplicationViewSet,
    AttachmentViewSet,
    BudgetLineViewSet,
    IndicatorViewSet,
    ScheduleItemViewSet,
    SnapshotViewSet,
)
from competitions.api import (
    ChecklistItemViewSet,
    CompetitionViewSet,
    CriterionViewSet,
    FormQuestionViewSet,
    PublicCompetitionViewSet,
)
from core.api import ObtainTokenView
from payouts.api import GrantViewSet, PaymentViewSet, ReportAttachmentViewSet, ReportViewSet

REDOC_PAGE = """<!DOCTYPE html>
<html>
  <head>
    <title>{{ title }}</title>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <style>body { margin: 0; padding: 0; }</style>
  </head>
  <body>
    <redoc spec-url="{{ schema_url }}"></redoc>
    <script src="{{ redoc_standalone }}"></script>
  </body>
</html>
"""


class OfflineRedocView(SpectacularRedocView):
    """ReDoc as packaged, less the web fonts its page would fetch from outside."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        page = engines["django"].from_string(REDOC_PAGE)
        context = {
            "title": self.title,
            "schema_url": self._get_schema_url(request),
            "redoc_standalone": self._redoc_standalone(),
        }
        return HttpResponse(page.render(context, request))


class OfflineSwaggerView(SpectacularSwaggerView):
    """Swagger UI as packaged, without the badge it would fetch from an
    outside validator."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        ui_settings = spectacular_settings.SWAGGER_UI_SETTINGS
        if isinstance(ui_settings, dict):
            response.data["settings"] = json.dumps({"validatorUrl": None, **ui_settings})
        return response


router = SimpleRouter()
router.register("competitions", CompetitionViewSet, basename="competition")
router.register(
    r"competitions/(?P<competition_pk>[0-9]+)/criteria",
    CriterionViewSet,
    basename="competition-criteria",
)
router.register(
    r"competitions/(?P<competition_pk>[0-9]+)/checklist-items",
    ChecklistItemViewSet,
    basename="competition-checklist-items",
)
router.register(
    r"competitions/(?P<competition_pk>[0-9]+)/questions",
    FormQuestionViewSet,
    basename="competition-questions",
)
router.register("public/competitions", PublicCompetitionViewSet, basename="public-competition")
router.register("applicant-groups", ApplicantGroupViewSet, basename="applicant-group")
router.register("applications", ApplicationViewSet, basename="application")
router.register(
    r"applications/(?P<application_pk>[0-9]+)/budget-lines",
    BudgetLineViewSet,
    basename="application-budget-lines",
)
router.register(
    r"applications/(?P<application_pk>[0-9]+)/schedule-items",
    ScheduleItemViewSet,
    basename="application-schedule-items",
)
router.register(
    r"applications/(?P<application_pk>[0-9]+)/indicators",
    IndicatorViewSet,
    basename="application-indicators",
)
router.register(
    r"applications/(?P<application_pk>[0-9]+)/attachments",
    AttachmentViewSet,
    basename="application-attachments",
)
router.register(
    r"applications/(?P<application_pk>[0-9]+)/snapshots",
    SnapshotViewSet,
    basename="application-snapshots",
)
router.register("grants", GrantViewSet, basename="grant")
router.register("payments", PaymentViewSet, basename="payment")
router.register("reports", ReportViewSet, basename="report")
router.register(
    r"reports/(?P<report_pk>[0-9]+)/attachments",
    ReportAttachmentViewSet,
    basename="report-attachments",
)

urlpatterns = [
    path("v1/auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", OfflineSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", OfflineRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("v1/", include("reviews.api")),
    path("v1/", include("worker.exports.api")),
]
