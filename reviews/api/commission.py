"""The commission over the API: officials form it (add, change, remove
members, name the chair); each member signs the impartiality declaration for
the competition, naming their conflicts, before seeing any application."""

from django.contrib.auth import get_user_model
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from .. import selectors, services
from ..models import CommissionMember
from ..permissions import can_manage_commission
from ..services.commission import declaration_statement
from ..services.common import require
from .common import COMPETITION_PK, CompetitionResourceMixin
from .serializers import (
    CommissionMemberCreateSerializer,
    CommissionMemberSerializer,
    CommissionMemberUpdateSerializer,
    DeclarationInputSerializer,
    DeclarationSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="The commission of a competition"),
    create=extend_schema(
        request=CommissionMemberCreateSerializer,
        responses={201: CommissionMemberSerializer},
        description="Add a person with an account; `is_chair` makes them the chair instead "
        "of whoever chaired before.",
    ),
    partial_update=extend_schema(
        request=CommissionMemberUpdateSerializer, responses=CommissionMemberSerializer
    ),
    destroy=extend_schema(
        description="Only a member who has neither signed nor been assigned anything."
    ),
)
@extend_schema(parameters=[COMPETITION_PK], tags=["commission"])
class CommissionViewSet(
    CompetitionResourceMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Officials of the operator and the commission's own members see who is on
    it; officials change it until the competition is decided."""

    serializer_class = CommissionMemberSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CommissionMember.objects.none()
        return selectors.commission_of(self.request.user, self.competition())

    def _member(self, pk, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def create(self, request, competition_pk=None):
        competition = self.competition()
        # Before the address is looked up: whether someone has an account is
        # not for everyone who sees the commission.
        require(can_manage_commission(request.user, competition))
        payload = CommissionMemberCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        user = (
            get_user_model()
            .objects.filter(email__iexact=data["email"].strip(), is_active=True)
            .first()
        )
        if user is None:
            raise exceptions.ValidationError(
                {
                    "email": [
                        _("Nobody with this e-mail address has an account; ask them to register.")
                    ]
                }
            )
        member = services.commission_member_add(
            competition=competition,
            actor=request.user,
            user=user,
            affiliation=data["affiliation"],
            is_chair=data["is_chair"],
        )
        return self._member(member.pk, status.HTTP_201_CREATED)

    def partial_update(self, request, competition_pk=None, pk=None):
        member = self.get_object()
        payload = CommissionMemberUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.commission_member_update(
            member=member,
            actor=request.user,
            affiliation=payload.validated_data.get("affiliation"),
            is_chair=payload.validated_data.get("is_chair"),
        )
        return self._member(member.pk)

    def destroy(self, request, competition_pk=None, pk=None):
        services.commission_member_remove(member=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[COMPETITION_PK], tags=["commission"])
class DeclarationView(CompetitionResourceMixin, GenericAPIView):
    """Your impartiality declaration for the competition; only members of its
    commission have one (anyone else: 404)."""

    serializer_class = DeclarationSerializer

    def _declaration(self, status_code=status.HTTP_200_OK):
        user, competition = self.request.user, self.competition()
        seat = selectors.seat_of(user, competition)
        if seat is None:
            raise Http404
        declaration = getattr(seat, "declaration", None)
        body = {
            "signed": declaration is not None,
            "signed_at": declaration.signed_at if declaration else None,
            "statement": declaration.statement if declaration else declaration_statement(seat),
            "candidates": selectors.declaration_candidates(user, competition),
            "conflicts": list(seat.conflicts.all()) if declaration else [],
        }
        return Response(DeclarationSerializer(body).data, status=status_code)

    @extend_schema(responses=DeclarationSerializer)
    def get(self, request, competition_pk):
        return self._declaration()

    @extend_schema(
        request=DeclarationInputSerializer,
        responses={201: DeclarationSerializer},
        description=(
            "Sign, naming the applications you are conflicted with; membership of an "
            "applying group is a conflict whether named or not. Signed once."
        ),
    )
    def post(self, request, competition_pk):
        competition = self.competition()
        payload = DeclarationInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.declaration_sign(
            competition=competition,
            actor=request.user,
            conflicts=payload.validated_data.get("conflicts", []),
        )
        return self._declaration(status.HTTP_201_CREATED)
