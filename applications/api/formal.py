"""The formal check over the API.

`applications/{id}/formal-check/` shows an official of the competition's
operator the checklist with the current round's findings, the earlier rounds
and what changed since the previous submitted version, and takes their
findings (PUT). The applying group reads only what it must fix, or why the
application was rejected, once the official has concluded a round.

The outcomes are transitions of the application (`accept_formally`,
`request_correction`, `reject_formally`); `ApplicationViewSet` runs them
through the services adapted here.
"""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.response import Response

from competitions.models import ChecklistItem
from core.api import (
    ApiViewMixin,
    ModelSerializer,
    NamedChoiceField,
    StateSerializerMixin,
    UTCDateTimeField,
)
from core.roles import roles_for

from .. import formal, formal_selectors, selectors
from ..models import Application, FormalCheck

# Transitions ------------------------------------------------------------------


def _accept(application, actor, data):
    return formal.formal_accept(
        application=application, actor=actor, comment=data.get("comment", "")
    )


def _request_correction(application, actor, data):
    return formal.formal_request_correction(
        application=application, actor=actor, comment=data.get("comment", "")
    )


def _reject(application, actor, data):
    return formal.formal_reject(application=application, actor=actor, reasons=data["reasons"])


class FormalRejectInputSerializer(serializers.Serializer):
    reasons = serializers.CharField(
        max_length=5000,
        label=_("reasons"),
        help_text=_("Why the application is rejected; the applicant reads this."),
    )


FORMAL_TRANSITIONS = {
    "accept_formally": _accept,
    "request_correction": _request_correction,
    "reject_formally": _reject,
}
FORMAL_TRANSITION_INPUTS = {"reject_formally": FormalRejectInputSerializer}


# Serializers --------------------------------------------------------------------


class FormalChecklistItemSerializer(ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "text", "correctable", "position"]
        read_only_fields = fields


class FormalFindingSerializer(serializers.Serializer):
    """The finding on one checklist item; `passed` null: not checked yet."""

    item = FormalChecklistItemSerializer()
    passed = serializers.BooleanField(allow_null=True)
    comment = serializers.CharField()


class FormalRoundResultSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item_id")
    passed = serializers.BooleanField(allow_null=True)
    comment = serializers.CharField()


class FormalRoundSerializer(ModelSerializer):
    """One round of the check, of one submitted version."""

    outcome_display = serializers.CharField(source="get_outcome_display", read_only=True)
    version = serializers.SerializerMethodField(
        help_text=_("The submitted version this round checked.")
    )
    concluded_by_system = serializers.SerializerMethodField(
        help_text=_("Concluded by the system (a correction not made in time).")
    )
    results = FormalRoundResultSerializer(many=True, read_only=True)

    class Meta:
        model = FormalCheck
        fields = [
            "round",
            "version",
            "outcome",
            "outcome_display",
            "comment",
            "created_at",
            "updated_at",
            "concluded_at",
            "concluded_by_system",
            "results",
        ]
        read_only_fields = fields

    def get_version(self, check) -> int | None:
        # Versions come from the snapshots read with the application, not one
        # query per round.
        return self.context.get("versions", {}).get(check.snapshot_id)

    def get_concluded_by_system(self, check) -> bool:
        return check.is_concluded and check.concluded_by_id is None


class FormalChangeSerializer(serializers.Serializer):
    """One difference between the previous submitted version and the latest."""

    path = serializers.CharField()
    section = serializers.CharField()
    kind = NamedChoiceField(
        choices=[
            ("added", _("added")),
            ("removed", _("removed")),
            ("changed", _("changed")),
        ],
        enum_name="SnapshotChangeKind",
    )
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    lines = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("For a long text: its changed lines, “-” removed and “+” added."),
    )


class FormalApplicationSerializer(StateSerializerMixin, ModelSerializer):
    class Meta:
        model = Application
        fields = [
            "id",
            "number",
            "title",
            "status",
            "status_display",
            "available_transitions",
            "last_submitted_at",
            "correction_deadline",
        ]
        read_only_fields = fields


class OfficialFormalCheckSerializer(serializers.Serializer):
    """The official's working view of the formal check."""

    application = FormalApplicationSerializer()
    current = FormalRoundSerializer(allow_null=True, help_text=_("The latest round, if any."))
    findings = FormalFindingSerializer(
        many=True, help_text=_("Every checklist item with the current round's finding.")
    )
    rounds = FormalRoundSerializer(many=True)
    changes = FormalChangeSerializer(
        many=True, help_text=_("What changed since the previous submitted version.")
    )


class ApplicantFindingSerializer(serializers.Serializer):
    item = FormalChecklistItemSerializer()
    comment = serializers.CharField()


class ApplicantFormalCheckSerializer(serializers.Serializer):
    """What the applicant must fix, or why the application was rejected; empty
    while no correction was requested and nothing rejected."""

    outcome = NamedChoiceField(
        choices=FormalCheck.Outcome.choices, enum_name="FormalCheckOutcome", allow_null=True
    )
    outcome_display = serializers.CharField(allow_null=True)
    comment = serializers.CharField()
    correction_deadline = UTCDateTimeField(allow_null=True)
    findings = ApplicantFindingSerializer(many=True, source="failed")


class FormalFindingInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(label=_("checklist item"))
    passed = serializers.BooleanField(
        allow_null=True, label=_("met"), help_text=_("null: not checked yet.")
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, label=_("comment")
    )


class FormalCheckInputSerializer(serializers.Serializer):
    """Findings to record; items not listed keep what they had."""

    results = FormalFindingInputSerializer(many=True, label=_("findings"))
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        label=_("comment for the applicant"),
    )


# The view -----------------------------------------------------------------------

FORMAL_CHECK_RESPONSE = PolymorphicProxySerializer(
    component_name="FormalCheck",
    serializers=[OfficialFormalCheckSerializer, ApplicantFormalCheckSerializer],
    resource_type_field_name=None,
)


@extend_schema(tags=["formal-check"])
class FormalCheckView(ApiViewMixin, GenericAPIView):
    """The formal check of one application. Officials of the competition's
    operator get the whole check; the applying group gets only its outcome
    (`ApplicantFormalCheck`). An application you cannot see is 404."""

    serializer_class = OfficialFormalCheckSerializer

    def _official_view(self, pk):
        view = formal_selectors.formal_check_for_official(self.request.user, pk)
        context = {
            **self.get_serializer_context(),
            "transition_names": frozenset(FORMAL_TRANSITIONS),
            "versions": {s.pk: s.version for s in view.application.snapshots.all()},
        }
        return Response(OfficialFormalCheckSerializer(view, context=context).data)

    @extend_schema(responses=FORMAL_CHECK_RESPONSE)
    def get(self, request, pk):
        if roles_for(request.user).operator_ids:
            try:
                return self._official_view(pk)
            except Http404:
                # Another operator's official may still belong to the applying group.
                pass
        findings = formal_selectors.formal_findings(request.user, pk)
        body = {
            "outcome": findings.outcome if findings else None,
            "outcome_display": (
                str(FormalCheck.Outcome(findings.outcome).label) if findings else None
            ),
            "comment": findings.comment if findings else "",
            "correction_deadline": findings.correction_deadline if findings else None,
            "failed": findings.failed if findings else [],
        }
        return Response(ApplicantFormalCheckSerializer(body).data)

    @extend_schema(
        request=FormalCheckInputSerializer,
        responses=OfficialFormalCheckSerializer,
        description=(
            "Record findings on checklist items of a submitted application, as a draft "
            "the applicant does not see; conclude with a transition of the application."
        ),
    )
    def put(self, request, pk):
        application = get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)
        payload = FormalCheckInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        formal.formal_check_save(
            application=application,
            actor=request.user,
            results=payload.validated_data["results"],
            comment=payload.validated_data.get("comment"),
        )
        return self._official_view(pk)


urlpatterns = [
    path(
        "applications/<int:pk>/formal-check/",
        FormalCheckView.as_view(),
        name="application-formal-check",
    ),
]
