from django.db import transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from competitions.models import Competition
from core.errors import NotPermitted, RuleViolation, WrongState
from core.notify import send_notice
from core.transitions import perform_transition

from ..models import Application, ApplicationSnapshot
from ..permissions import can_act_for_applicant
from ..rules import budget_totals, submission_problems
from ..selectors import application_parts_prefetch
from .common import lock_application


def _next_number(competition: Competition) -> int:
    # The UPDATE takes the competition row's lock until our transaction ends,
    # so concurrent submissions queue here and each reads its own value; a
    # rollback returns the number, so there are no gaps and no duplicates.
    Competition.objects.filter(pk=competition.pk).update(last_number=F("last_number") + 1)
    return Competition.objects.filter(pk=competition.pk).values_list("last_number", flat=True).get()


def snapshot_data(application: Application) -> dict:
    """Everything the commission will read, as it stands. Parts must be prefetched."""
    group = application.group
    lines = list(application.budget_lines.all())
    answers = {a.question_id: a.value for a in application.answers.all()}
    return {
        "number": application.number,
        "competition": {"id": application.competition_id, "title": application.competition.title},
        "group": {
            "id": group.pk,
            "name": group.name,
            "kind": group.kind,
            "krs": group.krs,
            "nip": group.nip,
            "regon": group.regon,
            "city": group.city,
            "patron_name": group.patron_name,
            "informal_members": [
                {"full_name": m.full_name, "city": m.city, "is_adult": m.is_adult}
                for m in group.informal_members.all()
            ],
        },
        **{
            field: getattr(application, field)
            for field in (
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
        },
        "budget_lines": [
            {
                "id": line.pk,
                "category": line.category,
                "name": line.name,
                "unit": line.unit,
                "quantity": line.quantity,
                "unit_cost": line.unit_cost,
                "total": line.total,
                "grant_amount": line.grant_amount,
                "own_financial": line.own_financial,
                "own_non_financial": line.own_non_financial,
                "is_volunteer_work": line.is_volunteer_work,
            }
            for line in lines
        ],
        "budget_totals": budget_totals(lines),
        "schedule_items": [
            {
                "action": i.action,
                "description": i.description,
                "start_date": i.start_date,
                "end_date": i.end_date,
            }
            for i in application.schedule_items.all()
        ],
        "indicators": [
            {
                "result": i.result,
                "name": i.name,
                "target_value": i.target_value,
                "unit": i.unit,
                "verification": i.verification,
            }
            for i in application.indicators.all()
        ],
        "answers": [
            {"question_id": q.pk, "question": q.label, "kind": q.kind, "value": answers.get(q.pk)}
            for q in application.competition.questions.all()
        ],
        "attachments": [
            {
                "id": a.pk,
                "name": a.original_name,
                "size": a.size,
                "content_type": a.content_type,
                "sha256": a.sha256,
                "question_id": a.question_id,
            }
            for a in application.attachments.all()
        ],
    }


def application_submit(*, application: Application, actor) -> Application:
    """Submit a draft, or resubmit a corrected application.

    The server's clock decides: at the deadline or later it is refused. The
    first submission takes the competition's next number; every submission
    stores an immutable snapshot.
    """
    with transaction.atomic():
        application = lock_application(application)
        allowed, reason = can_act_for_applicant(actor, application)
        if not allowed:
            raise NotPermitted(reason)
        if application.status == Application.Status.DRAFT:
            name = "submit"
        elif application.status == Application.Status.NEEDS_CORRECTION:
            name = "resubmit"
        else:
            raise WrongState(
                _("This application was already submitted (status: “%(status)s”).")
                % {"status": application.get_status_display()}
            )
        prefetch_related_objects([application], *application_parts_prefetch())
        now = timezone.now()
        problems = submission_problems(application, now=now)
        if problems:
            errors: dict[str, list[str]] = {}
            for problem in problems:
                errors.setdefault(problem.field, []).append(problem.message)
            raise RuleViolation(errors=errors)
        if application.sequence is None:
            application.sequence = _next_number(application.competition)
            application.number = application.competition.format_number(application.sequence)
        application.submitted_at = application.submitted_at or now
        application.last_submitted_at = now
        application.updated_at = now
        perform_transition(application, name, actor=actor, payload={"number": application.number})
        version = application.snapshots.count() + 1
        ApplicationSnapshot.objects.create(
            application=application,
            version=version,
            submitted_by=actor,
            data=snapshot_data(application),
        )
        recipients = list(application.group.members.filter(is_active=True))
        # Written to the outbox in this transaction: it commits with the change.
        send_notice(
            recipients=recipients,
            template="application_submitted",
            context={"application": application},
        )
    return application


def application_withdraw(*, application: Application, actor, comment: str = "") -> Application:
    with transaction.atomic():
        application = lock_application(application)
        allowed, reason = can_act_for_applicant(actor, application)
        if not allowed:
            raise NotPermitted(reason)
        application.updated_at = timezone.now()
        perform_transition(application, "withdraw", actor=actor, comment=comment)
    return application
