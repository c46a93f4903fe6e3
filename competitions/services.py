"""Every write to competitions and their settings."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NotPermitted, RuleViolation, WrongState
from core.roles import roles_for
from core.transitions import perform_transition

from .models import ChecklistItem, Competition, Criterion, FormQuestion, Operator
from .permissions import can_manage

COMPETITION_FIELDS = tuple(
    f.name
    for f in Competition._meta.concrete_fields
    if f.editable and f.name not in {"id", "operator", "status", "published_at", "created_at"}
)
PART_FIELDS = {
    Criterion: ("name", "guidance", "max_points", "weight", "position"),
    ChecklistItem: ("text", "correctable", "position"),
    FormQuestion: ("label", "help_text", "kind", "required", "choices", "max_length", "position"),
}


def _clean(instance: models.Model, exclude=None) -> None:
    validate_constraints = True
    if isinstance(instance, Competition):
        # full_clean() sets every field it cleans, and the protected `status`
        # refuses to be set; the state is the transitions' business anyway.
        exclude = [*(exclude or []), "status"]
        # The check constraints repeat `_settings_problems`, which names the
        # field at fault; the database still enforces them.
        validate_constraints = False
    try:
        instance.full_clean(
            exclude=exclude, validate_unique=False, validate_constraints=validate_constraints
        )
    except ValidationError as exc:
        raise RuleViolation(errors=exc.message_dict) from exc


def _settings_problems(competition: Competition) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if competition.grant_min > competition.grant_max:
        errors.setdefault("grant_min", []).append(
            _("The minimum grant cannot exceed the maximum grant.")
        )
    if competition.budget_total is not None and competition.budget_total < competition.grant_min:
        errors.setdefault("budget_total", []).append(
            _("The budget must cover at least one minimum grant.")
        )
    if competition.implementation_start > competition.implementation_end:
        errors.setdefault("implementation_end", []).append(
            _("The implementation window must end after it starts.")
        )
    if competition.own_financial_min_pct > competition.own_contribution_min_pct:
        errors.setdefault("own_financial_min_pct", []).append(
            _("The financial part cannot exceed the whole own contribution.")
        )
    return errors


def _locked(competition: Competition) -> Competition:
    return (
        Competition.objects.select_for_update(of=("self",))
        .select_related("operator")
        .get(pk=competition.pk)
    )


def _require_manager(actor, competition: Competition) -> None:
    allowed, reason = can_manage(actor, competition)
    if not allowed:
        raise NotPermitted(reason)


def _require_draft(competition: Competition) -> None:
    if competition.status != Competition.Status.DRAFT:
        raise WrongState(_("Only a draft competition can be changed."))


@transaction.atomic
def competition_create(*, operator: Operator, actor, data: dict) -> Competition:
    if not roles_for(actor).is_official_of(operator.pk):
        raise NotPermitted(_("Only the operator's officials may create its competitions."))
    competition = Competition(
        operator=operator, **{k: v for k, v in data.items() if k in COMPETITION_FIELDS}
    )
    _clean(competition, exclude=["operator"])
    errors = _settings_problems(competition)
    if errors:
        raise RuleViolation(errors=errors)
    competition.save()
    return competition


@transaction.atomic
def competition_update(*, competition: Competition, actor, data: dict) -> Competition:
    competition = _locked(competition)
    _require_manager(actor, competition)
    _require_draft(competition)
    for field, value in data.items():
        if field in COMPETITION_FIELDS:
            setattr(competition, field, value)
    _clean(competition, exclude=["operator"])
    errors = _settings_problems(competition)
    if errors:
        raise RuleViolation(errors=errors)
    competition.save()
    return competition


@transaction.atomic
def competition_part_save(*, competition: Competition, actor, model, data: dict, instance=None):
    """Create or change a criterion, checklist item or form question of a draft."""
    competition = _locked(competition)
    _require_manager(actor, competition)
    _require_draft(competition)
    if instance is None:
        instance = model(competition=competition)
    for field in PART_FIELDS[model]:
        if field in data:
            setattr(instance, field, data[field])
    _clean(instance, exclude=["competition"])
    if model is FormQuestion and instance.kind == FormQuestion.Kind.CHOICE:
        choices = instance.choices if isinstance(instance.choices, list) else []
        if len(choices) < 2 or not all(isinstance(c, str) and c.strip() for c in choices):
            raise RuleViolation(
                errors={"choices": [_("A choice question needs at least two options.")]}
            )
    instance.save()
    return instance


@transaction.atomic
def competition_part_delete(*, competition: Competition, actor, instance) -> None:
    competition = _locked(competition)
    _require_manager(actor, competition)
    _require_draft(competition)
    instance.delete()


def publication_problems(competition: Competition, *, now=None) -> dict[str, list[str]]:
    now = now or timezone.now()
    errors = _settings_problems(competition)
    if not competition.criteria.exists():
        errors.setdefault("criteria", []).append(
            _("Add at least one scoring criterion before publishing.")
        )
    window = competition.submission_deadline - now
    if window < timedelta(days=competition.min_submission_days):
        errors.setdefault("submission_deadline", []).append(
            _(
                "The submission window must be at least %(days)s days from publication; "
                "move the deadline later."
            )
            % {"days": competition.min_submission_days}
        )
    if competition.implementation_end < timezone.localdate(competition.submission_deadline):
        errors.setdefault("implementation_end", []).append(
            _("Projects cannot end before the submission deadline.")
        )
    return errors


@transaction.atomic
def competition_publish(*, competition: Competition, actor, comment: str = "") -> Competition:
    competition = _locked(competition)
    _require_manager(actor, competition)
    if competition.status != Competition.Status.DRAFT:
        raise WrongState(_("Only a draft competition can be published."))
    errors = publication_problems(competition)
    if errors:
        raise RuleViolation(errors=errors)
    return perform_transition(competition, "publish", actor=actor, comment=comment)


@transaction.atomic
def competition_close(*, competition: Competition, actor=None, comment: str = "") -> Competition:
    """Close submissions: the system at the deadline, or an official later."""
    competition = _locked(competition)
    if actor is not None:
        _require_manager(actor, competition)
    if (
        competition.status == Competition.Status.PUBLISHED
        and timezone.now() < competition.submission_deadline
    ):
        raise RuleViolation(_("Submissions can be closed only at the deadline or later."))
    return perform_transition(competition, "close", actor=actor, comment=comment)


@transaction.atomic
def competition_cancel(*, competition: Competition, actor, comment: str = "") -> Competition:
    competition = _locked(competition)
    _require_manager(actor, competition)
    if not comment.strip():
        raise RuleViolation(errors={"comment": [_("Give the reason for cancelling.")]})
    return perform_transition(competition, "cancel", actor=actor, comment=comment)


@transaction.atomic
def competition_archive(*, competition: Competition, actor, comment: str = "") -> Competition:
    """Archive a decided competition once every grant is closed or declined:
    the file on public money is complete."""
    from payouts.selectors import competition_can_archive

    competition = _locked(competition)
    _require_manager(actor, competition)
    if competition.status != Competition.Status.DECIDED:
        raise WrongState(_("Only a decided competition can be archived."))
    allowed, reason = competition_can_archive(competition)
    if not allowed:
        raise RuleViolation(reason)
    return perform_transition(competition, "archive", actor=actor, comment=comment)
