"""Running a state transition: the one path every service takes.

Call `perform_transition` inside `transaction.atomic()` on a row you have
locked with `select_for_update()`. It checks that the transition exists from
the current state and that the actor may run it, runs it, saves (the model's
ConcurrentTransitionMixin refuses a save over a state changed by someone else),
and appends the audit row. Side effects are the caller's, on commit.
"""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from .errors import NotPermitted, WrongState
from .models import AuditEntry


def transition_names(model: type[models.Model]) -> set[str]:
    field = model._meta.get_field("status")
    return {t.name for t in field.get_all_transitions(model)}


def available_transitions(obj: models.Model, user) -> list[str]:
    """Names of the transitions this user may run on this object now."""
    if user is None or not user.is_authenticated:
        return []
    return sorted({t.name for t in obj.get_available_user_status_transitions(user)})


def write_audit(
    obj: models.Model,
    *,
    transition: str,
    from_state: str = "",
    to_state: str = "",
    actor=None,
    comment: str = "",
    payload: dict | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        comment=comment or "",
        payload=payload or {},
    )


def perform_transition(
    obj: models.Model,
    name: str,
    *,
    actor,
    comment: str = "",
    payload: dict[str, Any] | None = None,
    update_fields: list[str] | None = None,
) -> models.Model:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("perform_transition must run inside transaction.atomic()")
    if name not in transition_names(type(obj)):
        raise WrongState(_("There is no such action."))
    method = getattr(obj, name)
    from_state = obj.status
    if not can_proceed(method, check_conditions=False):
        raise WrongState(
            _("This cannot be done now: the current status is “%(status)s”.")
            % {"status": obj.get_status_display()}
        )
    # The permission alone. The few transitions with conditions (a reserve
    # award, a tranche of a payable grant) are guarded by django-fsm when the
    # method runs; the services check those rules first and say why.
    if actor is not None and not method._django_fsm.get_transition(from_state).has_perm(obj, actor):
        raise NotPermitted(_("You are not allowed to do this."))
    method()
    try:
        obj.save(update_fields=update_fields)
    except ConcurrentTransition as exc:
        raise WrongState(
            _("Someone else changed this in the meantime. Reload and try again.")
        ) from exc
    write_audit(
        obj,
        transition=name,
        from_state=from_state,
        to_state=obj.status,
        actor=actor,
        comment=comment,
        payload=payload,
    )
    return obj
