from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django_fsm import FSMFieldMixin

from core.errors import NotPermitted, RuleViolation, WrongState

from ..models import Application
from ..permissions import can_act_for_applicant


def clean_or_raise(instance: models.Model, *, exclude=None) -> None:
    # full_clean() sets every field it cleans, and a protected state field
    # refuses to be set; the state is the transitions' business anyway.
    exclude = [*(exclude or []), *protected_state_fields(instance)]
    try:
        instance.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        raise RuleViolation(errors=exc.message_dict) from exc


def protected_state_fields(instance: models.Model) -> list[str]:
    return [
        field.name
        for field in instance._meta.concrete_fields
        if isinstance(field, FSMFieldMixin) and field.protected
    ]


def lock_application(application: Application) -> Application:
    """Re-read the application under a row lock; call inside atomic()."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("competition", "competition__operator", "group")
        .get(pk=application.pk)
    )


def require_editable(application: Application, actor) -> None:
    allowed, reason = can_act_for_applicant(actor, application)
    if not allowed:
        raise NotPermitted(reason)
    if not application.is_editable:
        raise WrongState(
            _("The application cannot be changed now: its status is “%(status)s”.")
            % {"status": application.get_status_display()}
        )
