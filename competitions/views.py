"""Competition pages: the public list and detail, and the officials' read-only lists."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.models import Application
from applications.selectors import applications_visible_to, groups_of
from core.errors import DomainError, NotPermitted
from core.roles import roles_for
from core.views import login_required

from . import services
from .models import FormQuestion
from .selectors import (
    competition_detail,
    competitions_managed_by,
    competitions_visible_to,
    public_competitions,
)


def competition_list(request):
    return render(request, "competitions/list.html", {"competitions": public_competitions()})


def competition_view(request, pk):
    competition = competition_detail(request.user, pk)
    questions = list(competition.questions.all())
    groups, mine = [], []
    if request.user.is_authenticated:
        groups = list(groups_of(request.user))
        # So that a person coming back finds the draft they started.
        mine = applications_visible_to(request.user).filter(
            competition=competition, group_id__in=roles_for(request.user).group_ids
        )
    return render(
        request,
        "competitions/detail.html",
        {
            "competition": competition,
            "criteria": competition.criteria.all(),
            "checklist": competition.checklist_items.all(),
            "questions": [q for q in questions if q.kind != FormQuestion.Kind.FILE],
            "documents": [q for q in questions if q.kind == FormQuestion.Kind.FILE],
            "groups": groups,
            "my_applications": mine,
        },
    )


def _require_official(user) -> None:
    if not roles_for(user).operator_ids:
        raise PermissionDenied(_("Only officials of an operator see this page."))


@login_required
def official_competitions(request):
    _require_official(request.user)
    managed = competitions_visible_to(request.user).filter(
        operator_id__in=roles_for(request.user).operator_ids
    )
    return render(request, "competitions/official_list.html", {"competitions": managed})


@login_required
def official_applications(request, pk):
    _require_official(request.user)
    competition = get_object_or_404(competitions_managed_by(request.user), pk=pk)
    # Officials never see a group's unsubmitted draft.
    submitted = (
        applications_visible_to(request.user)
        .filter(competition=competition)
        .exclude(status=Application.Status.DRAFT)
        .order_by("sequence", "pk")
    )
    return render(
        request,
        "competitions/official_applications.html",
        {"competition": competition, "applications": submitted},
    )


@login_required
@require_POST
def competition_archive(request, pk):
    competition = get_object_or_404(competitions_managed_by(request.user), pk=pk)
    try:
        services.competition_archive(
            competition=competition, actor=request.user, comment=request.POST.get("comment", "")
        )
    except NotPermitted as exc:
        raise PermissionDenied(exc.messages[0]) from exc
    except DomainError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The competition was archived."))
    return redirect("official-competitions")
