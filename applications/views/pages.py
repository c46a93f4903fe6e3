"""My applications, starting one, the detail page with its history, checking
and submitting, the confirmation, and withdrawing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from competitions.models import FormQuestion
from competitions.selectors import competition_detail
from core.errors import NotPermitted, RuleViolation, WrongState
from core.roles import roles_for
from core.transitions import available_transitions
from core.views import login_required

from .. import services
from ..forms import WithdrawForm
from ..models import Application
from ..rules import Problem, submission_problems
from ..selectors import (
    application_detail,
    application_history_for,
    applications_visible_to,
    groups_of,
)
from .common import require_applicant
from .editor import SECTIONS

PROBLEM_SECTIONS = [
    ("deadline", gettext_lazy("Deadline")),
    *SECTIONS,
    ("group", gettext_lazy("Applicant group")),
]
# Problems about the budget as a whole point at the sums under the table.
WHOLE_BUDGET = {"own_contribution", "own_financial", "administrative"}
ROW_ANCHORS = {
    "budget_lines": "budget-line-",
    "schedule_items": "schedule-item-",
    "indicators": "indicator-",
}
SECTION_OF_LIST = {
    "budget_lines": "budget",
    "schedule_items": "schedule",
    "indicators": "results",
}
APPLICATION_FIELDS = {
    "title",
    "summary",
    "place",
    "start_date",
    "end_date",
    "description",
    "target_group",
    "target_group_size",
    "amount_requested",
}
SUBMITTING = {"submit", "resubmit"}


@login_required
def application_list(request):
    # “My” applications are my groups' ones, also for a person who is an official too.
    mine = applications_visible_to(request.user).filter(
        group_id__in=roles_for(request.user).group_ids
    )
    return render(request, "applications/application_list.html", {"applications": mine})


@login_required
@require_http_methods(["GET", "POST"])
def application_start(request, competition_pk):
    competition = competition_detail(request.user, competition_pk)
    groups = list(groups_of(request.user).order_by("name"))
    if request.method == "POST":
        chosen = request.POST.get("group", "")
        # Not a number is as unknown as another person's group: 404, never a 500.
        group = get_object_or_404(
            groups_of(request.user), pk=int(chosen) if chosen.isdigit() else 0
        )
        try:
            application = services.application_create(
                competition=competition, group=group, actor=request.user
            )
        except WrongState as exc:
            messages.error(request, exc.messages[0])
            return redirect("competition-detail", pk=competition.pk)
        except NotPermitted as exc:
            raise PermissionDenied(exc.messages[0]) from exc
        messages.success(request, _("The application was created. It saves as you type."))
        return redirect("application-edit", pk=application.pk)
    return render(
        request,
        "applications/application_start.html",
        {"competition": competition, "groups": groups},
    )


def _history_rows(application, viewer) -> list[dict]:
    labels = dict(Application.Status.choices)
    return [
        {
            "when": entry.created_at,
            "who": entry.actor_label,
            "from": labels.get(entry.from_state, entry.from_state),
            "to": labels.get(entry.to_state, entry.to_state),
            "comment": entry.comment,
        }
        for entry in application_history_for(viewer, application)
    ]


@login_required
def application_view(request, pk):
    application = application_detail(request.user, pk)
    # The newest submitted version is what the operator reads; a draft shows
    # what is saved now.
    snapshot = application.snapshots.order_by("-version").first()
    content = snapshot.data if snapshot else services.snapshot_data(application)
    transitions = available_transitions(application, request.user)
    is_member = roles_for(request.user).is_member_of(application.group_id)
    return render(
        request,
        "applications/application_detail.html",
        {
            "application": application,
            "snapshot": snapshot,
            "content": content,
            "history": _history_rows(application, request.user),
            "can_edit": is_member and application.is_editable,
            "can_submit": bool(SUBMITTING & set(transitions)),
            "can_withdraw": "withdraw" in transitions,
            "is_member": is_member,
            "is_official": roles_for(request.user).is_official_of(
                application.competition.operator_id
            ),
        },
    )


def problem_link(application, problem: Problem, questions: dict) -> str | None:
    """Where the applicant fixes this problem: the field itself when it has one."""
    if problem.section == "deadline":
        return None
    if problem.section == "group":
        if problem.field == "informal_members":
            return reverse("group-detail", args=[application.group_id]) + "#informal-members"
        return reverse("group-edit", args=[application.group_id]) + f"#id_{problem.field}"
    edit = reverse("application-edit", args=[application.pk])
    head, _dot, pk = problem.field.partition(".")
    if head in ROW_ANCHORS and pk:
        return f"{edit}#{ROW_ANCHORS[head]}{pk}"
    if head == "questions" and pk:
        question = questions.get(int(pk))
        if question is not None and question.kind == FormQuestion.Kind.FILE:
            return f"{edit}#id_attachment-file"
        if question is not None and question.kind in (
            FormQuestion.Kind.CHOICE,
            FormQuestion.Kind.YES_NO,
        ):
            return f"{edit}#id_q_{pk}_0"
        return f"{edit}#id_q_{pk}"
    if problem.field in APPLICATION_FIELDS:
        return f"{edit}#id_{problem.field}"
    if problem.field in WHOLE_BUDGET:
        return f"{edit}#budget-totals"
    if problem.field in SECTION_OF_LIST:
        return f"{edit}#section-{SECTION_OF_LIST[problem.field]}"
    return f"{edit}#section-{problem.section}"


def _grouped_problems(application, problems: list[Problem]) -> list[dict]:
    questions = {q.pk: q for q in application.competition.questions.all()}
    groups = []
    for section, label in PROBLEM_SECTIONS:
        items = [
            {"message": p.message, "link": problem_link(application, p, questions)}
            for p in problems
            if p.section == section
        ]
        if items:
            groups.append({"section": section, "label": label, "problems": items})
    known = {section for section, _label in PROBLEM_SECTIONS}
    others = [
        {"message": p.message, "link": problem_link(application, p, questions)}
        for p in problems
        if p.section not in known
    ]
    if others:
        groups.append({"section": "other", "label": _("Other"), "problems": others})
    return groups


def _check_page(request, application, *, refusals=(), status=200):
    problems = submission_problems(application) if application.is_editable else []
    transitions = available_transitions(application, request.user)
    return render(
        request,
        "applications/check.html",
        {
            "application": application,
            "groups": _grouped_problems(application, problems),
            "problem_count": len(problems),
            "refusals": refusals,
            "can_submit": not problems and bool(SUBMITTING & set(transitions)),
        },
        status=status,
    )


@login_required
def application_check(request, pk):
    application = application_detail(request.user, pk)
    require_applicant(request.user, application)
    return _check_page(request, application)


@login_required
@require_POST
def application_submit(request, pk):
    application = application_detail(request.user, pk)
    try:
        services.application_submit(application=application, actor=request.user)
    except NotPermitted as exc:
        raise PermissionDenied(exc.messages[0]) from exc
    except WrongState as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("application-detail", pk=application.pk)
    except RuleViolation as exc:
        # Re-read: the refusal may come from a change made since the page was shown.
        application = application_detail(request.user, pk)
        return _check_page(request, application, refusals=exc.messages, status=422)
    return redirect("application-submitted", pk=application.pk)


@login_required
def application_submitted(request, pk):
    application = application_detail(request.user, pk)
    if not application.number:
        return redirect("application-detail", pk=application.pk)
    return render(request, "applications/confirmation.html", {"application": application})


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request, pk):
    application = application_detail(request.user, pk)
    require_applicant(request.user, application)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                application=application,
                actor=request.user,
                comment=form.cleaned_data["comment"],
            )
        except NotPermitted as exc:
            raise PermissionDenied(exc.messages[0]) from exc
        except (WrongState, RuleViolation) as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The application was withdrawn."))
        return redirect("application-detail", pk=application.pk)
    return render(request, "applications/withdraw.html", {"application": application, "form": form})
