"""Tranches over the API: listed and read by whoever sees their grant,
approved and recorded as paid by the operator's officials."""

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action

from core.api import ApiViewMixin, TransitionsMixin

from .. import selectors, services
from ..models import Payment
from .inputs import (
    PayInputSerializer,
    PaymentTransitionInputSerializer,
)
from .serializers import (
    PaymentSerializer,
)


class PaymentFilter(django_filters.FilterSet):
    grant = django_filters.NumberFilter(field_name="grant_id")
    competition = django_filters.NumberFilter(field_name="grant__competition_id")
    group = django_filters.NumberFilter(field_name="grant__group_id")
    status = django_filters.MultipleChoiceFilter(choices=Payment.Status.choices)
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = Payment
        fields = ["grant", "competition", "group", "status", "due_before"]


def _approve(payment, actor, data):
    return services.payment_approve(payment=payment, actor=actor, comment=data.get("comment", ""))


def _withdraw(payment, actor, data):
    return services.payment_withdraw(payment=payment, actor=actor, comment=data.get("comment", ""))


def _pay(payment, actor, data):
    return services.payment_pay(
        payment=payment,
        actor=actor,
        paid_on=data["paid_on"],
        bank_reference=data.get("bank_reference", ""),
        amount=data.get("amount"),
        comment=data.get("comment", ""),
    )


PAYMENT_TRANSITIONS = {"approve": _approve, "pay": _pay, "withdraw": _withdraw}


@extend_schema_view(list=extend_schema(summary="Tranches you may see"))
@extend_schema(tags=["payments"])
class PaymentViewSet(
    ApiViewMixin,
    TransitionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The tranches of the grants you may see. Only the operator's officials
    approve and pay them; a tranche is paid once (a second `pay` is 409)."""

    serializer_class = PaymentSerializer
    lookup_value_regex = "[0-9]+"
    filterset_class = PaymentFilter
    ordering_fields = ["due_date", "amount", "paid_on"]
    transition_services = PAYMENT_TRANSITIONS
    transition_input_serializers = {"pay": PayInputSerializer}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        return selectors.payments_visible_to(self.request.user).select_related(
            "approved_by", "paid_recorded_by"
        )

    @extend_schema(
        request=PaymentTransitionInputSerializer,
        responses=PaymentSerializer,
        parameters=[
            OpenApiParameter("name", str, OpenApiParameter.PATH, enum=sorted(PAYMENT_TRANSITIONS))
        ],
        description=(
            "Run a transition named in `available_transitions`; answers with the refreshed "
            "tranche. 409 when the tranche is not in a state that allows it."
        ),
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transitions(self, request, pk=None, name=None):
        return super().transitions(request, pk=pk, name=name)
