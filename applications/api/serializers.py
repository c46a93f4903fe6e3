"""Input and output serializers of groups and applications.

Input serializers check types, lengths and ranges only (the models'
validators: negative or absurd amounts are refused here already); the rules of
a competition are the services' and `rules.submission_problems`'. Output
serializers read what the selectors prefetched and run no query per row.
"""

import functools

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from competitions.models import Competition, FormQuestion
from competitions.selectors import competitions_visible_to
from core.api import ModelSerializer, StateSerializerMixin
from core.models import AuditEntry
from core.roles import roles_for

from ..models import (
    ApplicantGroup,
    Application,
    ApplicationSnapshot,
    Attachment,
    BudgetLine,
    GroupInvitation,
    GroupMembership,
    Indicator,
    InformalGroupMember,
    ScheduleItem,
)
from ..rules import budget_totals
from ..selectors import groups_of
from ..services.drafting import APPLICATION_FIELDS, PART_FIELDS
from ..services.groups import GROUP_FIELDS

# Groups ----------------------------------------------------------------------


def _identifier(label) -> serializers.CharField:
    # People type identifiers with dashes and spaces; the service checks them
    # and keeps them compact, so the stored length does not limit the input.
    return serializers.CharField(required=False, allow_blank=True, max_length=50, label=label)


class GroupInputSerializer(ModelSerializer):
    krs = _identifier(_("KRS number"))
    nip = _identifier(_("NIP"))
    regon = _identifier(_("REGON"))
    patron_krs = _identifier(_("patron's KRS number"))
    bank_account = _identifier(_("bank account (IBAN)"))

    class Meta:
        model = ApplicantGroup
        fields = list(GROUP_FIELDS)


class GroupMemberSerializer(ModelSerializer):
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = GroupMembership
        fields = ["id", "full_name", "email", "role", "joined_at"]
        read_only_fields = fields


class InformalMemberSerializer(ModelSerializer):
    """Input and output of one person making up an informal group."""

    class Meta:
        model = InformalGroupMember
        fields = ["id", "full_name", "city", "is_adult"]
        read_only_fields = ["id"]


class InvitationInputSerializer(ModelSerializer):
    class Meta:
        model = GroupInvitation
        fields = ["email", "role"]


class InvitationSerializer(ModelSerializer):
    class Meta:
        model = GroupInvitation
        fields = ["id", "email", "role", "created_at", "expires_at"]
        read_only_fields = fields


class GroupSerializer(ModelSerializer):
    """An applicant group you belong to."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    my_role = serializers.SerializerMethodField(
        help_text=_("The requesting user's role in the group.")
    )

    class Meta:
        model = ApplicantGroup
        fields = ["id", *GROUP_FIELDS, "kind_display", "created_at", "my_role"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_my_role(self, group) -> str | None:
        request = self.context.get("request")
        return roles_for(getattr(request, "user", None)).group_roles.get(group.pk)


class GroupDetailSerializer(GroupSerializer):
    """An applicant group with its members and open invitations."""

    members = GroupMemberSerializer(source="memberships", many=True, read_only=True)
    informal_members = InformalMemberSerializer(many=True, read_only=True)
    invitations = InvitationSerializer(
        many=True, read_only=True, help_text=_("Invitations not accepted yet.")
    )

    class Meta(GroupSerializer.Meta):
        fields = [*GroupSerializer.Meta.fields, "members", "informal_members", "invitations"]
        read_only_fields = fields


# Applications ----------------------------------------------------------------


class ApplicationCreateSerializer(serializers.Serializer):
    """A new draft: in a competition you can see, for one of your groups."""

    competition = serializers.PrimaryKeyRelatedField(
        queryset=Competition.objects.none(), label=_("competition")
    )
    group = serializers.PrimaryKeyRelatedField(
        queryset=ApplicantGroup.objects.none(), label=_("applicant")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["competition"].queryset = competitions_visible_to(request.user)
            self.fields["group"].queryset = groups_of(request.user)


class ApplicationInputSerializer(ModelSerializer):
    """The application's own fields, as autosaved from the form."""

    class Meta:
        model = Application
        fields = list(APPLICATION_FIELDS)


class CompetitionBriefSerializer(ModelSerializer):
    """The competition an application belongs to; the whole of it, with what
    you may do with it, is at `competitions/{id}/`."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Competition
        fields = [
            "id",
            "title",
            "status",
            "status_display",
            "submission_deadline",
            "grant_min",
            "grant_max",
            "implementation_start",
            "implementation_end",
        ]
        read_only_fields = fields


class GroupBriefSerializer(ModelSerializer):
    class Meta:
        model = ApplicantGroup
        fields = ["id", "name", "kind"]
        read_only_fields = fields


class ApplicationSerializer(StateSerializerMixin, ModelSerializer):
    """An application as listed."""

    competition = CompetitionBriefSerializer(read_only=True)
    group = GroupBriefSerializer(read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "number",
            "competition",
            "group",
            "status",
            "status_display",
            "available_transitions",
            "is_editable",
            "title",
            "amount_requested",
            "created_at",
            "updated_at",
            "submitted_at",
            "last_submitted_at",
            "correction_deadline",
        ]
        read_only_fields = fields


class BudgetLineSerializer(ModelSerializer):
    """Input and output of one budget line; `total` is quantity × unit cost."""

    total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = BudgetLine
        fields = ["id", *PART_FIELDS[BudgetLine], "total"]
        read_only_fields = ["id", "total"]


class ScheduleItemSerializer(ModelSerializer):
    class Meta:
        model = ScheduleItem
        fields = ["id", *PART_FIELDS[ScheduleItem]]
        read_only_fields = ["id"]


class IndicatorSerializer(ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", *PART_FIELDS[Indicator]]
        read_only_fields = ["id"]


class AttachmentSerializer(ModelSerializer):
    """A file attached to an application."""

    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "description",
            "question",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, attachment) -> str:
        return reverse(
            "application-attachments-download",
            kwargs={"application_pk": attachment.application_id, "pk": attachment.pk},
            request=self.context.get("request"),
        )


class AttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField(label=_("file"))
    question = serializers.PrimaryKeyRelatedField(
        queryset=FormQuestion.objects.none(),
        required=False,
        allow_null=True,
        label=_("question"),
        help_text=_("The file question of the competition this file answers, if any."),
    )
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=300, label=_("description")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        application = self.context.get("application")
        if application is not None:
            self.fields["question"].queryset = FormQuestion.objects.filter(
                competition_id=application.competition_id
            )


class BudgetTotalsSerializer(serializers.Serializer):
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    grant = serializers.DecimalField(max_digits=14, decimal_places=2)
    own = serializers.DecimalField(max_digits=14, decimal_places=2)
    own_financial = serializers.DecimalField(max_digits=14, decimal_places=2)
    own_non_financial = serializers.DecimalField(max_digits=14, decimal_places=2)
    administrative_grant = serializers.DecimalField(max_digits=14, decimal_places=2)
    own_share_pct = serializers.DecimalField(max_digits=14, decimal_places=2)
    own_financial_share_pct = serializers.DecimalField(max_digits=14, decimal_places=2)
    administrative_share_pct = serializers.DecimalField(max_digits=14, decimal_places=2)


class ApplicationDetailSerializer(ApplicationSerializer):
    """An application with every part of it."""

    budget_lines = BudgetLineSerializer(many=True, read_only=True)
    schedule_items = ScheduleItemSerializer(many=True, read_only=True)
    indicators = IndicatorSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    answers = serializers.SerializerMethodField(
        help_text=_("Answers to the competition's questions, by question id.")
    )
    budget_totals = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [
            *ApplicationSerializer.Meta.fields,
            *(f for f in APPLICATION_FIELDS if f not in ApplicationSerializer.Meta.fields),
            "budget_lines",
            "budget_totals",
            "schedule_items",
            "indicators",
            "answers",
            "attachments",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "object", "additionalProperties": {}})
    def get_answers(self, application) -> dict:
        return {str(answer.question_id): answer.value for answer in application.answers.all()}

    @extend_schema_field(BudgetTotalsSerializer)
    def get_budget_totals(self, application) -> dict:
        return BudgetTotalsSerializer(budget_totals(application.budget_lines.all())).data


class ProblemSerializer(serializers.Serializer):
    section = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


class ProblemsSerializer(serializers.Serializer):
    """What still blocks the submission, all at once, and the budget's sums."""

    ready = serializers.BooleanField(help_text=_("Nothing blocks the submission."))
    problems = ProblemSerializer(many=True)
    budget_totals = BudgetTotalsSerializer()


STATUS_LABELS = dict(Application.Status.choices)


@functools.cache
def _transition_labels() -> dict:
    field = Application._meta.get_field("status")
    return {t.name: t.custom.get("label", t.name) for t in field.get_all_transitions(Application)}


class HistoryEntrySerializer(ModelSerializer):
    """One change of state: who, when, from what to what."""

    transition_display = serializers.SerializerMethodField()
    from_state_display = serializers.SerializerMethodField()
    to_state_display = serializers.SerializerMethodField()
    actor = serializers.CharField(
        source="actor_label", read_only=True, help_text=_("Who did it, or “system”.")
    )

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "transition",
            "transition_display",
            "from_state",
            "from_state_display",
            "to_state",
            "to_state_display",
            "actor",
            "created_at",
            "comment",
        ]
        read_only_fields = fields

    def get_transition_display(self, entry) -> str:
        return str(_transition_labels().get(entry.transition, entry.transition))

    def get_from_state_display(self, entry) -> str:
        return str(STATUS_LABELS.get(entry.from_state, entry.from_state))

    def get_to_state_display(self, entry) -> str:
        return str(STATUS_LABELS.get(entry.to_state, entry.to_state))


class SnapshotSerializer(ModelSerializer):
    """A submitted version."""

    submitted_by = serializers.CharField(
        source="submitted_by.full_name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = ApplicationSnapshot
        fields = ["version", "created_at", "submitted_by"]
        read_only_fields = fields


class SnapshotDetailSerializer(SnapshotSerializer):
    """A submitted version with its content."""

    data = serializers.JSONField(read_only=True, help_text=_("The application as submitted."))

    class Meta(SnapshotSerializer.Meta):
        fields = [*SnapshotSerializer.Meta.fields, "data"]
        read_only_fields = fields
