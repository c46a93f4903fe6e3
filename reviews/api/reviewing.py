"""Assigning reviewers, following the work, and the reviews themselves.

A member sees the reviews assigned to them once they have signed the
declaration, never one of an application they are conflicted with (404), and
only their own scores. The chair and the officials follow the work through
the assignments and the progress (statuses, never scores) and may reopen or
recuse a review, which answers with its status only.
"""

from collections import Counter, defaultdict

import django_filters
from django.db.models import Exists, OuterRef, Prefetch, Q
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from applications.models import ApplicationSnapshot, GroupMembership
from core.api import ApiViewMixin, Pagination, TransitionsMixin
from core.roles import roles_for

from .. import selectors, services
from ..models import Conflict, Review
from .common import COMPETITION_PK, CompetitionResourceMixin
from .serializers import (
    REVIEW_TRANSITION_NAMES,
    ApplicantReviewSerializer,
    AssignmentApplyInputSerializer,
    AssignmentPreviewSerializer,
    AssignmentSerializer,
    ProgressSerializer,
    ReviewDetailSerializer,
    ReviewDraftInputSerializer,
    ReviewOverviewSerializer,
    ReviewRecuseInputSerializer,
    ReviewReopenInputSerializer,
    ReviewSerializer,
    ReviewTransitionInputSerializer,
)

# Assignments and progress ----------------------------------------------------------


def _filtered(rows, params) -> list:
    """Filters of the assignment list: by review status, member, application."""
    wanted = params.getlist("status")
    if wanted:
        rows = [row for row in rows if row.status in wanted]
    for name, attribute in (("member", "member_id"), ("application", "application_id")):
        value = params.get(name)
        if value is not None:
            rows = [row for row in rows if str(getattr(row, attribute)) == value]
    return rows


ASSIGNMENT_FILTERS = [
    OpenApiParameter(
        "status", str, many=True, enum=Review.Status.values, description="Review status."
    ),
    OpenApiParameter("member", int, description="Commission member id."),
    OpenApiParameter("application", int, description="Application id."),
]


@extend_schema(parameters=[COMPETITION_PK], tags=["assignments"])
class AssignmentListView(CompetitionResourceMixin, GenericAPIView):
    """Who reviews what, for the officials and the chair: statuses, no scores."""

    serializer_class = AssignmentSerializer
    pagination_class = Pagination

    @extend_schema(parameters=ASSIGNMENT_FILTERS, responses=AssignmentSerializer(many=True))
    def get(self, request, competition_pk):
        rows = selectors.review_progress(request.user, self.competition())
        page = self.paginate_queryset(_filtered(rows, request.query_params))
        return self.get_paginated_response(AssignmentSerializer(page, many=True).data)


@extend_schema(parameters=[COMPETITION_PK], tags=["assignments"])
class AssignmentPreviewView(CompetitionResourceMixin, GenericAPIView):
    serializer_class = AssignmentPreviewSerializer

    @extend_schema(
        responses=AssignmentPreviewSerializer,
        description=(
            "The plan automatic assignment would apply now (balanced, conflict-aware), "
            "without saving it; 400 with the reasons when no plan can meet the rules."
        ),
    )
    def get(self, request, competition_pk):
        preview = selectors.assignment_preview(request.user, self.competition())
        if preview.problems:
            raise exceptions.ValidationError({"plan": list(preview.problems)})
        body = {
            "plan": [
                {
                    "application": application,
                    "number": preview.applications.get(application, ""),
                    "members": [
                        {"id": member, "name": preview.members.get(member, "")}
                        for member in members
                    ],
                }
                for application, members in preview.plan.items()
            ],
            "loads": [
                {
                    "member": member,
                    "name": preview.members.get(member, ""),
                    "before": before,
                    "after": preview.loads_after.get(member, before),
                }
                for member, before in preview.loads_before.items()
            ],
            "unsigned": list(preview.unsigned),
        }
        return Response(AssignmentPreviewSerializer(body).data)


@extend_schema(parameters=[COMPETITION_PK], tags=["assignments"])
class AssignmentApplyView(CompetitionResourceMixin, GenericAPIView):
    serializer_class = AssignmentSerializer

    @extend_schema(
        request=AssignmentApplyInputSerializer,
        responses={201: AssignmentSerializer(many=True)},
        description=(
            "Assign by a plan {application id: [member ids]} (as previewed, or by hand), "
            "or with `auto`: true plan and apply in one step. Checked again against the "
            "current data; all or nothing. Answers with the new assignments."
        ),
    )
    def post(self, request, competition_pk):
        competition = self.competition()
        payload = AssignmentApplyInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        if payload.validated_data["auto"]:
            created = services.assignments_auto(competition=competition, actor=request.user)
        else:
            created = services.assignments_apply(
                competition=competition, actor=request.user, plan=payload.validated_data["plan"]
            )
        ids = {review.pk for review in created}
        rows = [
            row
            for row in selectors.review_progress(request.user, competition)
            if row.review_id in ids
        ]
        return Response(AssignmentSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


def _counts(statuses) -> dict:
    counted = Counter(statuses)
    return {state: counted.get(state, 0) for state in Review.Status.values}


@extend_schema(parameters=[COMPETITION_PK], tags=["assignments"])
class ProgressView(CompetitionResourceMixin, GenericAPIView):
    serializer_class = ProgressSerializer

    @extend_schema(
        responses=ProgressSerializer,
        description="Who has scored what, for the officials and the chair: statuses only.",
    )
    def get(self, request, competition_pk):
        rows = selectors.review_progress(request.user, self.competition())
        by_member: dict[int, list] = defaultdict(list)
        by_application: dict[int, list] = defaultdict(list)
        for row in rows:
            by_member[row.member_id].append(row)
            by_application[row.application_id].append(row)
        body = {
            "total": len(rows),
            "by_status": _counts(row.status for row in rows),
            "members": sorted(
                (
                    {
                        "member": member,
                        "name": held[0].member,
                        **_counts(row.status for row in held),
                    }
                    for member, held in by_member.items()
                ),
                key=lambda entry: (entry["name"], entry["member"]),
            ),
            "applications": [
                {
                    "application": application,
                    "number": held[0].number,
                    "title": held[0].title,
                    **_counts(row.status for row in held),
                }
                for application, held in by_application.items()
            ],
        }
        return Response(ProgressSerializer(body).data)


# Reviews --------------------------------------------------------------------------

# The application as submitted, read with the review (every version: a few).
SNAPSHOTS = Prefetch("application__snapshots", queryset=ApplicationSnapshot.objects.all())


def reviews_acted_on(user):
    """Reviews the user may run a transition on: their own visible ones, their
    own recused ones (the answer to a recusal), every review of the
    competitions they are an official of, and those of the competitions they
    chair except of the applications they are conflicted with."""
    roles = roles_for(user)
    chaired = [pk for pk, seat in roles.commission.items() if seat.is_chair]
    own = selectors.reviews_for_member(user).values("pk")
    conflicted = Q(
        Exists(Conflict.objects.filter(application=OuterRef("application"), member__user=user))
    ) | Q(Exists(GroupMembership.objects.filter(group=OuterRef("application__group"), user=user)))
    return (
        Review.objects.filter(
            Q(pk__in=own)
            | Q(member__user=user, status=Review.Status.RECUSED)
            | Q(application__competition__operator_id__in=roles.operator_ids)
            | (Q(application__competition_id__in=chaired) & ~conflicted)
        )
        .select_related(
            "application",
            "application__competition",
            "application__competition__operator",
            "application__group",
            "member",
            "member__user",
        )
        .prefetch_related("scores", "application__competition__criteria", SNAPSHOTS)
    )


def _is_own_active(review, user) -> bool:
    return review.member.user_id == user.pk and review.status in Review.ACTIVE


def _submit(review, actor, data):
    return services.review_submit(
        review=review, actor=actor, scores=data.get("scores"), comment=data.get("comment")
    )


def _reopen(review, actor, data):
    return services.review_reopen(review=review, actor=actor, comment=data["comment"])


def _recuse(review, actor, data):
    return services.declare_conflict(
        assignment=review, actor=actor, reason=data["reason"], ground=data["ground"]
    )


class ReviewFilter(django_filters.FilterSet):
    competition = django_filters.NumberFilter(field_name="application__competition_id")
    status = django_filters.MultipleChoiceFilter(choices=Review.Status.choices)

    class Meta:
        model = Review
        fields = ["competition", "status"]


@extend_schema_view(
    list=extend_schema(summary="Your reviews"),
    retrieve=extend_schema(responses=ReviewDetailSerializer),
    partial_update=extend_schema(
        request=ReviewDraftInputSerializer,
        responses=ReviewDetailSerializer,
        description=(
            "Save a draft: points per criterion (null removes one) and the overall "
            "comment; all or nothing. The first save starts the review."
        ),
    ),
)
@extend_schema(tags=["reviews"])
class ReviewViewSet(
    ApiViewMixin,
    TransitionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Your reviews: assigned to you, after you signed the declaration, never
    one you are conflicted with. `submit` takes the same body as a draft;
    `reopen` (the chair or an official) a comment; `recuse` a reason and a
    ground, and gives the application to another member where one can take it."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = "[0-9]+"
    filterset_class = ReviewFilter
    ordering_fields = ["assigned_at", "updated_at", "submitted_at"]
    transition_services = {"submit": _submit, "reopen": _reopen, "recuse": _recuse}
    transition_input_serializers = {
        "submit": ReviewDraftInputSerializer,
        "reopen": ReviewReopenInputSerializer,
        "recuse": ReviewRecuseInputSerializer,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Review.objects.none()
        user = self.request.user
        if self.action == "list":
            return selectors.reviews_for_member(user)
        if self.action == "transitions":
            return reviews_acted_on(user)
        return selectors.reviews_for_member(user).prefetch_related(SNAPSHOTS)

    def get_serializer_class(self):
        return ReviewSerializer if self.action == "list" else ReviewDetailSerializer

    def get_serializer(self, *args, **kwargs):
        # Somebody else's review (the chair or an official reopening or
        # recusing it), or one's own once recused, is answered with its status:
        # the scores and the application are its member's alone.
        if self.action == "transitions" and args and not _is_own_active(args[0], self.request.user):
            kwargs.setdefault("context", self.get_serializer_context())
            return ReviewOverviewSerializer(*args, **kwargs)
        return super().get_serializer(*args, **kwargs)

    @extend_schema(
        request=ReviewTransitionInputSerializer,
        responses=PolymorphicProxySerializer(
            component_name="ReviewAfterTransition",
            serializers=[ReviewDetailSerializer, ReviewOverviewSerializer],
            resource_type_field_name=None,
        ),
        parameters=[
            OpenApiParameter(
                "name", str, OpenApiParameter.PATH, enum=sorted(REVIEW_TRANSITION_NAMES)
            )
        ],
        description=(
            "Run a transition named in `available_transitions`. Your own review comes "
            "back whole; one you reopened or recused as the chair or an official, or "
            "your own once recused, with its status only. 409 in the wrong state."
        ),
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transitions(self, request, pk=None, name=None):
        return super().transitions(request, pk=pk, name=name)

    def partial_update(self, request, pk=None):
        review = self.get_object()
        payload = ReviewDraftInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.review_save_draft(
            review=review,
            actor=request.user,
            scores=payload.validated_data.get("scores", ()),
            comment=payload.validated_data.get("comment"),
        )
        fresh = self.get_queryset().get(pk=review.pk)
        return Response(self.get_serializer(fresh).data)


@extend_schema(tags=["reviews"])
class ApplicantReviewsView(ApiViewMixin, GenericAPIView):
    """The submitted reviews of your group's application, once the competition
    is decided (empty before): scores and comments, never who wrote them."""

    serializer_class = ApplicantReviewSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(responses=ApplicantReviewSerializer(many=True))
    def get(self, request, pk):
        reviews = selectors.reviews_for_applicant(request.user, pk)
        return Response(ApplicantReviewSerializer(reviews, many=True).data)
