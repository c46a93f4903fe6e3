"""Applicant groups over the API: my groups, their members, invitations and
the people of an informal group."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.api import ApiViewMixin

from .. import selectors, services
from ..models import ApplicantGroup, GroupMembership
from .serializers import (
    GroupDetailSerializer,
    GroupInputSerializer,
    GroupMemberSerializer,
    GroupSerializer,
    InformalMemberSerializer,
    InvitationInputSerializer,
    InvitationSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="Your groups"),
    create=extend_schema(
        request=GroupInputSerializer,
        responses={201: GroupDetailSerializer},
        description="Create a group; you become its owner.",
    ),
    update=extend_schema(request=GroupInputSerializer, responses=GroupDetailSerializer),
    partial_update=extend_schema(request=GroupInputSerializer, responses=GroupDetailSerializer),
    destroy=extend_schema(description="Owners only; a group with submitted applications stays."),
)
@extend_schema(tags=["applicant-groups"])
class ApplicantGroupViewSet(ApiViewMixin, viewsets.ModelViewSet):
    """The groups you belong to. Another group is 404; what only an owner may
    do is 403 for an editor."""

    lookup_value_regex = "[0-9]+"
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApplicantGroup.objects.none()
        return selectors.groups_of(self.request.user)

    def get_object(self):
        group = selectors.group_for_member(self.request.user, self.kwargs["pk"])
        self.check_object_permissions(self.request, group)
        return group

    def get_serializer_class(self):
        if self.action == "list":
            return GroupSerializer
        if self.action in ("create", "update", "partial_update"):
            return GroupInputSerializer
        return GroupDetailSerializer

    def _detail(self, group, status_code=status.HTTP_200_OK):
        fresh = selectors.group_for_member(self.request.user, group.pk)
        context = self.get_serializer_context()
        return Response(GroupDetailSerializer(fresh, context=context).data, status=status_code)

    def create(self, request):
        payload = GroupInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        group = services.group_create(actor=request.user, data=payload.validated_data)
        return self._detail(group, status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        group = self.get_object()
        payload = GroupInputSerializer(data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        services.group_update(group=group, actor=request.user, data=payload.validated_data)
        return self._detail(group)

    def destroy(self, request, pk=None):
        services.group_delete(group=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # Members -----------------------------------------------------------------

    @extend_schema(responses=GroupMemberSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def members(self, request, pk=None):
        group = self.get_object()
        return Response(GroupMemberSerializer(group.memberships.all(), many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("membership_id", int, OpenApiParameter.PATH)],
        request=None,
        responses={204: None},
        description="An owner removes a member; any member may remove themselves.",
    )
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<membership_id>[0-9]+)")
    def remove_member(self, request, pk=None, membership_id=None):
        group = self.get_object()
        membership = get_object_or_404(group.memberships.all(), pk=membership_id)
        services.group_member_remove(group=group, actor=request.user, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # Invitations -------------------------------------------------------------

    @extend_schema(responses=InvitationSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def invitations(self, request, pk=None):
        group = self.get_object()
        return Response(InvitationSerializer(group.invitations.all(), many=True).data)

    @extend_schema(
        request=InvitationInputSerializer,
        responses={201: InvitationSerializer},
        description="An owner invites a person by e-mail; the link goes out by e-mail.",
    )
    @invitations.mapping.post
    def invite(self, request, pk=None):
        group = self.get_object()
        payload = InvitationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation = services.group_invite(
            group=group,
            actor=request.user,
            email=payload.validated_data["email"],
            role=payload.validated_data.get("role", GroupMembership.Role.EDITOR),
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("token", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        request=None,
        responses=GroupDetailSerializer,
        description="Join the group you were invited to, logged in with the invited address.",
    )
    @action(
        detail=False,
        methods=["post"],
        url_path=r"invitations/(?P<token>[0-9a-fA-F-]{36})/accept",
        url_name="accept-invitation",
    )
    def accept_invitation(self, request, token=None):
        membership = services.invitation_accept(token=token, actor=request.user)
        return self._detail(membership.group)

    # People of an informal group -----------------------------------------------

    @extend_schema(responses=InformalMemberSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="informal-members", pagination_class=None)
    def informal_members(self, request, pk=None):
        group = self.get_object()
        return Response(InformalMemberSerializer(group.informal_members.all(), many=True).data)

    @extend_schema(request=InformalMemberSerializer, responses={201: InformalMemberSerializer})
    @informal_members.mapping.post
    def add_informal_member(self, request, pk=None):
        group = self.get_object()
        payload = InformalMemberSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        member = services.informal_member_add(
            group=group, actor=request.user, data=payload.validated_data
        )
        return Response(InformalMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("member_id", int, OpenApiParameter.PATH)],
        request=None,
        responses={204: None},
    )
    @action(detail=True, methods=["delete"], url_path=r"informal-members/(?P<member_id>[0-9]+)")
    def remove_informal_member(self, request, pk=None, member_id=None):
        group = self.get_object()
        member = get_object_or_404(group.informal_members.all(), pk=member_id)
        services.informal_member_remove(group=group, actor=request.user, member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)
