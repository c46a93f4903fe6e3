"""API plumbing shared by every app: pagination, the error mapping, and the
transitions endpoint."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError, NotPermitted, WrongState


class Pagination(pagination.PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def exception_handler(exc, context):
    """Domain errors become 400/403/409 with messages; everything else is DRF's."""
    if isinstance(exc, DomainError):
        body = dict(exc.errors) or {"non_field_errors": [str(exc)]}
        if isinstance(exc, WrongState):
            exc = Conflict(detail=body)
        elif isinstance(exc, NotPermitted):
            exc = exceptions.PermissionDenied(detail=body)
        else:
            exc = exceptions.ValidationError(detail=body)
    elif isinstance(exc, TransitionNotAllowed | ConcurrentTransition):
        exc = Conflict(
            detail={"non_field_errors": [_("This cannot be done in the current state.")]}
        )
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            detail=exc.message_dict
            if hasattr(exc, "error_dict")
            else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


class TransitionInputSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class TransitionsMixin:
    """`POST <resource>/{id}/transitions/{name}/` for a viewset.

    The viewset sets `transition_services = {"name": callable(obj, actor, data)}`
    and `transition_input_serializers = {"name": SerializerClass}` where a
    transition takes more than a comment. The object is fetched through the
    viewset's own scoped queryset, so what you cannot see is 404.
    """

    transition_services: dict = {}
    transition_input_serializers: dict = {}

    @extend_schema(
        request=TransitionInputSerializer,
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH)],
        responses={200: None},
        description="Run a state transition; answers with the refreshed object.",
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transitions(self, request, pk=None, name=None):
        obj = self.get_object()
        service = self.transition_services.get(name)
        if service is None:
            raise exceptions.NotFound(_("There is no such action."))
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"non_field_errors": [_("Expected a JSON object.")]})
        input_class = self.transition_input_serializers.get(name, TransitionInputSerializer)
        payload = input_class(data=request.data)
        payload.is_valid(raise_exception=True)
        service(obj, request.user, payload.validated_data)
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(fresh).data)
