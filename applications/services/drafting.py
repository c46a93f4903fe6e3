"""Writing a draft: the application's fields, its parts, answers and files.

Drafts save whatever is well-formed, however incomplete; the competition's
rules are checked at submission (`rules.submission_problems`). What is
malformed (wrong types, negative or absurd amounts, oversized or wrong-type
files) is refused with field messages and nothing is saved.
"""

import hashlib
from decimal import Decimal, InvalidOperation

import filetype
from django.conf import settings
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.models import Competition, FormQuestion
from core.errors import NotPermitted, RuleViolation, WrongState

from ..models import (
    Answer,
    ApplicantGroup,
    Application,
    Attachment,
    BudgetLine,
    Indicator,
    ScheduleItem,
)
from ..permissions import can_edit_group
from .common import clean_or_raise, lock_application, require_editable

APPLICATION_FIELDS = (
    "title",
    "summary",
    "description",
    "target_group",
    "target_group_size",
    "place",
    "start_date",
    "end_date",
    "amount_requested",
)
PART_FIELDS = {
    BudgetLine: (
        "category",
        "name",
        "unit",
        "quantity",
        "unit_cost",
        "grant_amount",
        "own_financial",
        "own_non_financial",
        "is_volunteer_work",
        "position",
    ),
    ScheduleItem: ("action", "description", "start_date", "end_date", "position"),
    Indicator: ("result", "name", "target_value", "unit", "verification", "position"),
}
SHORT_TEXT_LIMIT = 500
LONG_TEXT_LIMIT = 10000


@transaction.atomic
def application_create(*, competition: Competition, group: ApplicantGroup, actor) -> Application:
    allowed, reason = can_edit_group(actor, group)
    if not allowed:
        raise NotPermitted(reason)
    if not competition.accepts_submissions:
        raise WrongState(_("This competition is not accepting applications."))
    return Application.objects.create(competition=competition, group=group, created_by=actor)


@transaction.atomic
def application_update(*, application: Application, actor, data: dict) -> Application:
    application = lock_application(application)
    require_editable(application, actor)
    for field in APPLICATION_FIELDS:
        if field in data:
            setattr(application, field, data[field])
    clean_or_raise(application, exclude=["competition", "group", "created_by"])
    application.updated_at = timezone.now()
    application.save()
    return application


@transaction.atomic
def part_save(
    *, application: Application, actor, model: type[models.Model], data: dict, instance=None
):
    """Create or change one budget line, schedule item or indicator."""
    application = lock_application(application)
    require_editable(application, actor)
    if instance is None:
        instance = model(application=application)
    elif instance.application_id != application.pk:
        raise RuleViolation(_("This row belongs to another application."))
    for field in PART_FIELDS[model]:
        if field in data:
            setattr(instance, field, data[field])
    clean_or_raise(instance, exclude=["application"])
    instance.save()
    Application.objects.filter(pk=application.pk).update(updated_at=timezone.now())
    return instance


@transaction.atomic
def part_delete(*, application: Application, actor, instance) -> None:
    application = lock_application(application)
    require_editable(application, actor)
    if instance.application_id != application.pk:
        raise RuleViolation(_("This row belongs to another application."))
    instance.delete()
    Application.objects.filter(pk=application.pk).update(updated_at=timezone.now())


def _clean_answer(question: FormQuestion, value):
    """The stored form of an answer, or RuleViolation naming the question."""
    field = f"questions.{question.pk}"

    def fail(message):
        raise RuleViolation(errors={field: [message]})

    if value in (None, ""):
        return None
    kind = question.kind
    if kind in (FormQuestion.Kind.SHORT_TEXT, FormQuestion.Kind.LONG_TEXT):
        if not isinstance(value, str):
            fail(_("Expected text."))
        default = SHORT_TEXT_LIMIT if kind == FormQuestion.Kind.SHORT_TEXT else LONG_TEXT_LIMIT
        limit = question.max_length or default
        if len(value) > limit:
            fail(_("At most %(limit)s characters.") % {"limit": limit})
        return value
    if kind == FormQuestion.Kind.NUMBER:
        if isinstance(value, bool):
            fail(_("Expected a number."))
        try:
            number = Decimal(str(value).replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            fail(_("Expected a number."))
        if not number.is_finite() or abs(number) > Decimal("1e12"):
            fail(_("Expected a number."))
        return str(number)
    if kind == FormQuestion.Kind.CHOICE:
        if value not in question.choices:
            fail(_("Choose one of the options."))
        return value
    if kind == FormQuestion.Kind.YES_NO:
        if isinstance(value, bool):
            return value
        if value in ("yes", "true", "1", "on"):
            return True
        if value in ("no", "false", "0", "off"):
            return False
        fail(_("Answer yes or no."))
    fail(_("Attach a file to answer this question."))
    return None


@transaction.atomic
def answers_save(*, application: Application, actor, answers: dict) -> Application:
    """Save answers given as {question id: value}; all or nothing."""
    application = lock_application(application)
    require_editable(application, actor)
    questions = {q.pk: q for q in application.competition.questions.all()}
    cleaned = {}
    errors: dict[str, list[str]] = {}
    for key, value in answers.items():
        try:
            question = questions[int(key)]
        except (KeyError, TypeError, ValueError):
            errors.setdefault("answers", []).append(
                _("There is no such question: %(key)s.") % {"key": key}
            )
            continue
        try:
            cleaned[question] = _clean_answer(question, value)
        except RuleViolation as exc:
            for name, messages in exc.errors.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise RuleViolation(errors=errors)
    # One upsert on the one-answer-per-question constraint: the page autosaves
    # while people type, so this runs often.
    Answer.objects.bulk_create(
        [Answer(application=application, question=q, value=v) for q, v in cleaned.items()],
        update_conflicts=True,
        unique_fields=["application", "question"],
        update_fields=["value"],
    )
    Application.objects.filter(pk=application.pk).update(updated_at=timezone.now())
    return application


def _accepted_types() -> str:
    return ", ".join(
        sorted({ext.lstrip(".").upper() for ext in settings.ATTACHMENT_CONTENT_TYPES.values()})
    )


@transaction.atomic
def attachment_add(
    *,
    application: Application,
    actor,
    upload,
    question: FormQuestion | None = None,
    description: str = "",
) -> Attachment:
    application = lock_application(application)
    require_editable(application, actor)
    if question is not None and (
        question.competition_id != application.competition_id
        or question.kind != FormQuestion.Kind.FILE
    ):
        raise RuleViolation(errors={"question": [_("This question does not take a file.")]})
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise RuleViolation(
            errors={
                "file": [
                    _("The file is too large (%(size)s); the limit is %(limit)s.")
                    % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
                ]
            }
        )
    if upload.size == 0:
        raise RuleViolation(errors={"file": [_("The file is empty.")]})
    head = upload.read(8192)
    upload.seek(0)
    # The type is read from the content, never trusted from the name or the
    # browser's claim.
    kind = filetype.guess(head)
    if kind is None or kind.mime not in settings.ATTACHMENT_CONTENT_TYPES:
        raise RuleViolation(
            errors={
                "file": [
                    _("This type of file is not accepted. Accepted: %(types)s.")
                    % {"types": _accepted_types()}
                ]
            }
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        application=application,
        question=question,
        original_name=upload.name[:255],
        content_type=kind.mime,
        size=upload.size,
        sha256=digest.hexdigest(),
        description=description[:300],
        uploaded_by=actor,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    Application.objects.filter(pk=application.pk).update(updated_at=timezone.now())
    return attachment


@transaction.atomic
def attachment_delete(*, application: Application, actor, attachment: Attachment) -> None:
    application = lock_application(application)
    require_editable(application, actor)
    if attachment.application_id != application.pk:
        raise RuleViolation(_("This file belongs to another application."))
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    # A file that was part of a submitted version stays: the snapshot names it.
    if not application.snapshots.exists():
        transaction.on_commit(lambda: storage.delete(stored))
