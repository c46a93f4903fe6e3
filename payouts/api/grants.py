"""Grants over the API: the list and the grant with its parts, the budget
update after a reduced award, the contract (terms and document), changes the
operator approves on a budget line, refunds, the settlement, the history and
the transitions sign / decline / start / start_reporting / settle / close /
terminate."""

import django_filters
from django.db.models import F, Q, QuerySet
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.api import ApiViewMixin, TransitionsMixin
from core.errors import WrongState

from .. import selectors, services
from ..contracts import DOCX_MIME, contract_filename, render_contract_docx, render_contract_html
from ..models import Grant
from .inputs import (
    ApproveOverInputSerializer,
    BudgetUpdateSerializer,
    ContractInputSerializer,
    GrantTransitionInputSerializer,
    RefundInputSerializer,
    SignInputSerializer,
    TerminateInputSerializer,
)
from .serializers import (
    GrantDetailSerializer,
    GrantSerializer,
    PayoutHistoryEntrySerializer,
    SettlementViewSerializer,
)


# A grant whose report is late: while the contract runs, a partial or final
# report still being drafted (or returned) past its due day, or a final
# report not submitted by the day it was due although nobody opened it (it is
# created only on first use). Once a grant is settled, terminated or closed,
# a report left unsubmitted is no longer awaited.
class GrantFilter(django_filters.FilterSet):
    competition = django_filters.NumberFilter(field_name="competition_id")
    group = django_filters.NumberFilter(field_name="group_id")
    status = django_filters.MultipleChoiceFilter(choices=Grant.Status.choices)
    report_overdue = django_filters.BooleanFilter(
        label=gettext_lazy("A report is past its due date and not submitted")
    )
    refund_due = django_filters.BooleanFilter(
        method="filter_refund_due", label=gettext_lazy("A refund is due and not received in full")
    )

    class Meta:
        model = Grant
        fields = ["competition", "group", "status", "report_overdue", "refund_due"]

    def filter_refund_due(self, grants, name, value):
        outstanding = Q(refund_amount__gt=F("refund_paid"))
        return grants.filter(outstanding) if value else grants.exclude(outstanding)


def _comment(data) -> str:
    return data.get("comment", "")


def _sign(grant, actor, data):
    return services.grant_sign(grant=grant, actor=actor, signed_on=data["signed_on"])


def _decline(grant, actor, data):
    return services.grant_decline(grant=grant, actor=actor, comment=_comment(data))


def _start(grant, actor, data):
    return services.grant_start(grant=grant, actor=actor, comment=_comment(data))


def _start_reporting(grant, actor, data):
    return services.grant_start_reporting(grant=grant, actor=actor, comment=_comment(data))


def _settle(grant, actor, data):
    return services.grant_settle(grant=grant, actor=actor, comment=_comment(data))


def _close(grant, actor, data):
    return services.grant_close(grant=grant, actor=actor, comment=_comment(data))


def _terminate(grant, actor, data):
    return services.grant_terminate(
        grant=grant,
        actor=actor,
        comment=data["comment"],
        refund_amount=data.get("refund_amount"),
        terminated_on=data.get("terminated_on"),
    )


GRANT_TRANSITIONS = {
    "sign": _sign,
    "decline": _decline,
    "start": _start,
    "start_reporting": _start_reporting,
    "settle": _settle,
    "close": _close,
    "terminate": _terminate,
}

# Actions that show or render the whole grant read its parts in a fixed
# number of queries; the others need only the row.
DETAIL_ACTIONS = {"retrieve", "transitions", "contract_document"}

DOCUMENT_FORMATS = ("docx", "html")


class IgnoreFormatNegotiation(DefaultContentNegotiation):
    """The contract document answers a file, not a rendering of data, so its
    `?format=` chooses the file and never one of DRF's renderers. Errors are
    JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema_view(
    list=extend_schema(summary="Grants you may see"),
    retrieve=extend_schema(responses=GrantDetailSerializer),
)
@extend_schema(tags=["grants"])
class GrantViewSet(
    ApiViewMixin,
    TransitionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Group members see their groups' grants; officials see the grants of
    their operator's competitions. Another group's or operator's grant is 404."""

    lookup_value_regex = "[0-9]+"
    filterset_class = GrantFilter
    ordering_fields = [
        "created_at",
        "contract_number",
        "amount_awarded",
        "project_end",
        "final_report_due",
        "refund_due",
    ]
    transition_services = GRANT_TRANSITIONS
    transition_input_serializers = {
        "sign": SignInputSerializer,
        "terminate": TerminateInputSerializer,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Grant.objects.none()
        return self._grants(with_parts=self.action in DETAIL_ACTIONS)

    def _grants(self, *, with_parts: bool) -> QuerySet[Grant]:
        grants = selectors.with_report_overdue(selectors.grants_visible_to(self.request.user))
        if with_parts:
            grants = grants.prefetch_related(*selectors.grant_parts_prefetch())
        return grants

    def get_serializer_class(self):
        return GrantSerializer if self.action == "list" else GrantDetailSerializer

    def _detail(self, grant) -> Response:
        """The whole grant, read afresh after a write."""
        fresh = get_object_or_404(self._grants(with_parts=True), pk=grant.pk)
        return Response(GrantDetailSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(
        request=GrantTransitionInputSerializer,
        responses=GrantDetailSerializer,
        parameters=[
            OpenApiParameter("name", str, OpenApiParameter.PATH, enum=sorted(GRANT_TRANSITIONS))
        ],
        description=(
            "Run a transition named in `available_transitions`; answers with the refreshed "
            "grant. 409 when the grant is not in a state that allows it."
        ),
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transitions(self, request, pk=None, name=None):
        return super().transitions(request, pk=pk, name=name)

    @extend_schema(
        request=BudgetUpdateSerializer,
        responses=GrantDetailSerializer,
        description=(
            "The grantee's whole new budget after a reduced award, until the budget update "
            "deadline. A line with the `id` of an agreed line changes it, a line without one "
            "is added, and agreed lines left out are removed."
        ),
    )
    @action(detail=True, methods=["put"])
    def budget(self, request, pk=None):
        grant = self.get_object()
        payload = BudgetUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        lines = [dict(line) for line in payload.validated_data["lines"]]
        services.grant_budget_update(grant=grant, actor=request.user, lines=lines)
        return self._detail(grant)

    @extend_schema(
        request=ContractInputSerializer,
        responses=GrantDetailSerializer,
        description=(
            "An official sets the contract's terms while it is prepared. Fields left out keep "
            "their value; `tranches` replace the schedule and must add up to the award."
        ),
    )
    @action(detail=True, methods=["post"])
    def contract(self, request, pk=None):
        grant = self.get_object()
        payload = ContractInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if "tranches" in data:
            data["tranches"] = [dict(tranche) for tranche in data["tranches"]]
        services.grant_contract_prepare(grant=grant, actor=request.user, data=data)
        return self._detail(grant)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format",
                str,
                OpenApiParameter.QUERY,
                enum=list(DOCUMENT_FORMATS),
                description="`docx` (the default) to download, `html` to print.",
            )
        ],
        responses={
            (200, DOCX_MIME): OpenApiResponse(
                OpenApiTypes.BINARY, description="The contract as a Word document."
            ),
            (200, "text/html"): OpenApiResponse(
                OpenApiTypes.STR, description="The contract as a printable page."
            ),
        },
        description="The contract document, to those who may see the grant.",
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="contract/document",
        url_name="contract-document",
        renderer_classes=[JSONRenderer],
        content_negotiation_class=IgnoreFormatNegotiation,
    )
    def contract_document(self, request, pk=None):
        grant = self.get_object()
        kind = request.query_params.get("format") or "docx"
        if kind not in DOCUMENT_FORMATS:
            raise exceptions.ValidationError({"format": [_("Choose “docx” or “html”.")]})
        if kind == "html":
            response = HttpResponse(
                render_contract_html(grant), content_type="text/html; charset=utf-8"
            )
            response["Content-Disposition"] = content_disposition_header(
                False, contract_filename(grant, "html")
            )
            # The page is printed, not run: nothing in it may load or execute.
            response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
        else:
            response = HttpResponse(render_contract_docx(grant), content_type=DOCX_MIME)
            response["Content-Disposition"] = content_disposition_header(
                True, contract_filename(grant)
            )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(
        responses=SettlementViewSerializer,
        description=(
            "The settlement stored when the final report was accepted; before that, what "
            "accepting the final report would compute now. 409 while there is no final report."
        ),
    )
    @action(detail=True, methods=["get"])
    def settlement(self, request, pk=None):
        grant = self.get_object()
        if grant.settlement_computed_at is not None and grant.settlement_detail:
            body = {
                **grant.settlement_detail,
                "computed": True,
                "computed_at": grant.settlement_computed_at,
            }
        else:
            preview = selectors.settlement_preview(grant)
            if preview is None:
                raise WrongState(_("There is no final report yet, so nothing to settle."))
            body = {**preview.as_dict(), "computed": False, "computed_at": None}
        return Response(SettlementViewSerializer(body).data)

    @extend_schema(
        request=ApproveOverInputSerializer,
        responses=GrantDetailSerializer,
        parameters=[OpenApiParameter("line_pk", int, OpenApiParameter.PATH)],
        description=(
            "An official agrees that a line of the budget may use up to `amount` more of the "
            "grant than planned (0 withdraws the consent), until the settlement."
        ),
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"budget-lines/(?P<line_pk>[0-9]+)/approve-over",
        url_name="budget-line-approve-over",
    )
    def approve_over(self, request, pk=None, line_pk=None):
        grant = self.get_object()
        line = get_object_or_404(grant.budget_lines.all(), pk=line_pk)
        payload = ApproveOverInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.grant_line_approve_over(
            grant=grant,
            actor=request.user,
            line=line,
            amount=payload.validated_data["amount"],
            comment=payload.validated_data.get("comment", ""),
        )
        return self._detail(grant)

    @extend_schema(
        request=RefundInputSerializer,
        responses=GrantDetailSerializer,
        description=(
            "An official records money the grantee returned. When the settled refund is "
            "received in full, the grant becomes settled."
        ),
    )
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        grant = self.get_object()
        payload = RefundInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.grant_refund_record(
            grant=grant,
            actor=request.user,
            amount=payload.validated_data["amount"],
            received_on=payload.validated_data["received_on"],
            reference=payload.validated_data.get("reference", ""),
        )
        return self._detail(grant)

    @extend_schema(responses=PayoutHistoryEntrySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        grant = self.get_object()
        entries = self.paginate_queryset(selectors.grant_history(grant))
        return self.get_paginated_response(PayoutHistoryEntrySerializer(entries, many=True).data)
