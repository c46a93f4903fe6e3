"""API plumbing shared by every app: pagination, the error mapping, serializer
fields with the project's conventions (UTC datetimes, named enums, state
fields), and the transitions endpoint."""

import datetime

from django.contrib.auth import authenticate
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from drf_spectacular.extensions import OpenApiSerializerFieldExtension, OpenApiViewExtension
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, pagination, permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError, NotPermitted, WrongState
from .roles import forget_roles
from .transitions import available_transitions


class Pagination(pagination.PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _field_errors(errors: dict) -> dict:
    """Django calls errors that belong to no field `__all__`; DRF clients know
    them as `non_field_errors`."""
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key): value
        for key, value in errors.items()
    }


def exception_handler(exc, context):
    """Domain errors become 400/403/409 with messages; everything else is DRF's."""
    if isinstance(exc, DomainError):
        body = _field_errors(dict(exc.errors)) or {"non_field_errors": [str(exc)]}
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
            detail=_field_errors(exc.message_dict)
            if hasattr(exc, "error_dict")
            else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


class UTCDateTimeField(serializers.DateTimeField):
    """ISO 8601 in UTC (`...Z`) whatever the active time zone; a time given
    without an offset is taken as UTC too."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default_timezone", datetime.UTC)
        super().__init__(*args, **kwargs)


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose values appear in the schema as one named enum.

    Several models have a `status` or a `kind` with different values; named
    enums keep them apart in the schema instead of guessing names for them.
    """

    def __init__(self, *args, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(*args, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def get_name(self):
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction):
        values = [value for value in self.target.choices if value not in ("", None)]
        return {"type": "string", "enum": values}


# The project's ModelSerializer: datetimes in UTC and choices as named enums
# (`<Model><Field>`). Kept without a docstring, which the schema would show
# for every serializer that has none of its own.
class ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: UTCDateTimeField,
    }

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if field_class is self.serializer_choice_field:
            field_class = NamedChoiceField
            field_kwargs["enum_name"] = model_field.model.__name__ + "".join(
                part.capitalize() for part in model_field.name.split("_")
            )
        return field_class, field_kwargs


class StateSerializerMixin(serializers.Serializer):
    """An object with a state: `status`, its label, and what you may do now."""

    # Put `status` in the ModelSerializer's fields, read-only. Transition names
    # come from the model and the user's cached roles, so a list costs no query
    # per row once `competition` (for applications) is selected with the row.
    # A view that offers transitions passes their names as `transition_names`
    # in the context, so that no name is offered that its endpoint cannot run.

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    available_transitions = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_transitions(self, obj) -> list[str]:
        request = self.context.get("request")
        names = available_transitions(obj, getattr(request, "user", None))
        offered = self.context.get("transition_names")
        if offered is not None:
            names = [name for name in names if name in offered]
        return names


class ApiViewMixin:
    """Base of the project's API views."""

    # Roles are read afresh for every request. A real request always carries a
    # new user object; a test client that reuses one user object across
    # requests would otherwise keep roles from before a membership changed,
    # and query counts would depend on the order of requests.
    def initial(self, request, *args, **kwargs):
        forget_roles(request.user)
        super().initial(request, *args, **kwargs)

    # Without credentials, or with a wrong token, the answer is 401 with a
    # `WWW-Authenticate: Token` challenge, although session authentication
    # (which has no challenge) comes first.
    def get_authenticate_header(self, request):
        for authenticator in self.get_authenticators():
            header = authenticator.authenticate_header(request)
            if header:
                return header
        return None


class TransitionInputSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        label=gettext_lazy("comment"),
    )


# DRF imports this module (the pagination class) while it builds its generic
# views, so nothing here may make drf-spectacular build a schema class at import
# time: the transitions' schema is attached to each viewset as it is declared.
transition_schema = extend_schema(
    request=TransitionInputSerializer,
    parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH)],
    description=(
        "Run a state transition named in `available_transitions`; answers with the "
        "refreshed object. 409 when the object is not in a state that allows it."
    ),
)


class TransitionsMixin:
    """`POST <resource>/{id}/transitions/{name}/` for a viewset.

    The viewset sets `transition_services = {"name": callable(obj, actor, data)}`
    and `transition_input_serializers = {"name": SerializerClass}` where a
    transition takes more than a comment. The object is fetched through the
    viewset's own scoped queryset, so what you cannot see is 404. The answer is
    the refreshed object through the viewset's serializer for this action, whose
    `available_transitions` lists only names this endpoint can run.
    """

    transition_services: dict = {}
    transition_input_serializers: dict = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "transitions" not in cls.__dict__:
            extend_schema_view(transitions=transition_schema)(cls)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["transition_names"] = frozenset(self.transition_services)
        return context

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


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(label=gettext_lazy("e-mail address"))
    password = serializers.CharField(
        label=gettext_lazy("password"), style={"input_type": "password"}, trim_whitespace=False
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class ObtainTokenView(APIView):
    """`POST /api/v1/auth/token/` with e-mail and password: the token for the
    `Authorization: Token <key>` header of machine clients."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    # Password guessing against the one endpoint that takes a password.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    def post(self, request):
        payload = TokenRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = authenticate(
            request=request,
            username=payload.validated_data["email"].strip().lower(),
            password=payload.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Wrong e-mail address or password.")]}
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response(TokenSerializer({"token": token.key}).data)


class ObtainTokenViewSchema(OpenApiViewExtension):
    """The token view's schema, attached only when a schema is generated (see
    `transition_schema` for why not at import)."""

    target_class = ObtainTokenView

    def view_replacement(self):
        class DocumentedObtainTokenView(self.target):
            @extend_schema(request=TokenRequestSerializer, responses=TokenSerializer, tags=["auth"])
            def post(self, request):
                return super().post(request)

        return DocumentedObtainTokenView
