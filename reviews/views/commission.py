"""The official's pages for forming the commission, starting the review and
assigning reviewers."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from applications.models import Application
from applications.selectors import applications_visible_to
from competitions.models import Competition
from core.errors import NotPermitted, RuleViolation, WrongState
from core.views import apply_domain_errors, login_required

from .. import services
from ..forms import (
    CommissionMemberAddForm,
    CommissionMemberUpdateForm,
    ManualAssignmentForm,
    ReviewSettingsForm,
    StartReviewForm,
)
from ..models import CommissionMember
from ..results import review_settings
from ..selectors import assignment_preview, commission_of, competition_for, review_progress
from ..services.commission import FORMING_STATES
from .common import nav_context, refuse, require_official


def _official_competition(request, pk) -> Competition:
    competition = competition_for(request.user, pk)
    require_official(request.user, competition)
    return competition


def _commission_page(request, competition, *, add_form=None, start_form=None, status=200):
    members = list(commission_of(request.user, competition))
    affiliations = [m.affiliation for m in members]
    unresolved = (
        applications_visible_to(request.user)
        .filter(
            competition=competition,
            status__in=[Application.Status.SUBMITTED, Application.Status.NEEDS_CORRECTION],
        )
        .count()
    )
    settings = review_settings(competition)
    return render(
        request,
        "reviews/official/commission.html",
        {
            **nav_context(request, competition, "commission-manage"),
            "members": [
                {
                    "member": m,
                    "form": CommissionMemberUpdateForm(
                        prefix=f"m{m.pk}",
                        initial={"affiliation": m.affiliation, "is_chair": m.is_chair},
                    ),
                }
                for m in members
            ],
            "forming": competition.status in FORMING_STATES,
            "add_form": add_form or CommissionMemberAddForm(),
            "settings_form": ReviewSettingsForm(
                initial={"disagreement_pct": settings.disagreement_pct}
            ),
            "settings": settings,
            "can_start": competition.status == Competition.Status.CLOSED,
            "start_form": start_form or StartReviewForm(),
            "has_ngo": CommissionMember.Affiliation.NGO_REPRESENTATIVE in affiliations,
            "scoring_members": sum(
                1 for a in affiliations if a != CommissionMember.Affiliation.EXPERT
            ),
            "unsigned": sum(1 for m in members if not m.signed),
            "unresolved": unresolved,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def commission_manage(request, pk):
    """Who sits on the commission and whether they signed; adding a member."""
    competition = _official_competition(request, pk)
    if request.method == "GET":
        return _commission_page(request, competition)
    form = CommissionMemberAddForm(request.POST)
    if form.is_valid():
        person = (
            get_user_model()
            .objects.filter(email__iexact=form.cleaned_data["email"], is_active=True)
            .first()
        )
        if person is None:
            form.add_error(
                "email",
                _("No account uses this e-mail address. Ask the person to register first."),
            )
        else:
            try:
                member = services.commission_member_add(
                    competition=competition,
                    actor=request.user,
                    user=person,
                    affiliation=form.cleaned_data["affiliation"],
                    is_chair=form.cleaned_data["is_chair"],
                )
            except RuleViolation as exc:
                apply_domain_errors(form, exc, {"user": "email"})
            except (WrongState, NotPermitted) as exc:
                return refuse(request, exc, reverse("commission-manage", args=[competition.pk]))
            else:
                messages.success(
                    request,
                    _("%(name)s joined the commission.") % {"name": member.user.full_name},
                )
                return redirect("commission-manage", pk=competition.pk)
    return _commission_page(request, competition, add_form=form, status=422)


def _member(request, competition, member_pk) -> CommissionMember:
    return get_object_or_404(commission_of(request.user, competition), pk=member_pk)


@login_required
@require_POST
def commission_member_update(request, pk, member_pk):
    competition = _official_competition(request, pk)
    member = _member(request, competition, member_pk)
    back = reverse("commission-manage", args=[competition.pk])
    form = CommissionMemberUpdateForm(request.POST, prefix=f"m{member.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose the member's capacity."))
        return redirect(back)
    try:
        services.commission_member_update(
            member=member,
            actor=request.user,
            affiliation=form.cleaned_data["affiliation"],
            is_chair=form.cleaned_data["is_chair"],
        )
    except (RuleViolation, WrongState, NotPermitted) as exc:
        return refuse(request, exc, back)
    messages.success(request, _("The member's place was changed."))
    return redirect(back)


@login_required
@require_POST
def commission_member_remove(request, pk, member_pk):
    competition = _official_competition(request, pk)
    member = _member(request, competition, member_pk)
    back = reverse("commission-manage", args=[competition.pk])
    try:
        services.commission_member_remove(member=member, actor=request.user)
    except (RuleViolation, WrongState, NotPermitted) as exc:
        return refuse(request, exc, back)
    messages.success(request, _("%(name)s left the commission.") % {"name": member.user.full_name})
    return redirect(back)


@login_required
@require_POST
def review_settings_update(request, pk):
    competition = _official_competition(request, pk)
    back = reverse("commission-manage", args=[competition.pk])
    form = ReviewSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a percentage between 0 and 100."))
        return redirect(back)
    try:
        services.review_settings_update(
            competition=competition,
            actor=request.user,
            disagreement_pct=form.cleaned_data["disagreement_pct"],
        )
    except (RuleViolation, WrongState, NotPermitted) as exc:
        return refuse(request, exc, back)
    messages.success(request, _("The review settings were saved."))
    return redirect(back)


@login_required
@require_POST
def review_start(request, pk):
    """Start the review: refused with the reasons while an application awaits
    the formal check, when too few members score, or when the commission has
    no NGO representative and no reason is given."""
    competition = _official_competition(request, pk)
    form = StartReviewForm(request.POST)
    if form.is_valid():
        try:
            services.competition_start_review(
                competition=competition,
                actor=request.user,
                no_ngo_reason=form.cleaned_data["no_ngo_reason"],
            )
        except RuleViolation as exc:
            apply_domain_errors(form, exc)
        except (WrongState, NotPermitted) as exc:
            return refuse(request, exc, reverse("commission-manage", args=[competition.pk]))
        else:
            messages.success(request, _("The review has started. Assign the reviewers next."))
            return redirect("assignments", pk=competition.pk)
    return _commission_page(request, competition, start_form=form, status=422)


# Assignments.


@login_required
def assignments(request, pk):
    """The automatic plan as a table of members × applications, with loads
    before and after, or why no plan is possible; and assigning by hand."""
    competition = _official_competition(request, pk)
    context = nav_context(request, competition, "assignments")
    if competition.status != Competition.Status.IN_REVIEW:
        context["not_started"] = True
        return render(request, "reviews/official/assignments.html", context)
    preview = assignment_preview(request.user, competition)
    existing = {
        (row.application_id, row.member_id): row
        for row in review_progress(request.user, competition)
    }
    applications = list(preview.applications.items())
    member_ids = sorted(preview.loads_before, key=lambda m: (preview.members.get(m, ""), m))
    planned = {(a, m) for a, members in preview.plan.items() for m in members}
    matrix = [
        {
            "name": preview.members.get(member_id, ""),
            "before": preview.loads_before.get(member_id, 0),
            "after": preview.loads_after.get(member_id, 0),
            "cells": [
                {
                    "number": number,
                    "existing": existing.get((application_id, member_id)),
                    "planned": (application_id, member_id) in planned,
                }
                for application_id, number in applications
            ],
        }
        for member_id in member_ids
    ]
    held = {
        application_id: sum(
            1
            for (a, _m), row in existing.items()
            if a == application_id and row.status != "recused"
        )
        for application_id, _number in applications
    }
    context.update(
        preview=preview,
        applications=[
            {"number": number, "held": held[a], "planned": len(preview.plan.get(a, ()))}
            for a, number in applications
        ],
        matrix=matrix,
        new_count=sum(len(members) for members in preview.plan.values()),
        scoring_closed=review_settings(competition).scoring_closed,
        manual_form=ManualAssignmentForm(
            applications=applications,
            members=[(m, preview.members.get(m, "")) for m in member_ids],
        ),
    )
    return render(request, "reviews/official/assignments.html", context)


@login_required
@require_POST
def assignments_auto(request, pk):
    competition = _official_competition(request, pk)
    back = reverse("assignments", args=[competition.pk])
    try:
        reviews = services.assignments_auto(competition=competition, actor=request.user)
    except (RuleViolation, WrongState, NotPermitted) as exc:
        return refuse(request, exc, back)
    if reviews:
        messages.success(
            request,
            ngettext(
                "%(count)s assignment was made; the members were told by e-mail.",
                "%(count)s assignments were made; the members were told by e-mail.",
                len(reviews),
            )
            % {"count": len(reviews)},
        )
    else:
        messages.info(request, _("Every application already has its reviewers."))
    return redirect(back)


@login_required
@require_POST
def assignments_manual(request, pk):
    competition = _official_competition(request, pk)
    back = reverse("assignments", args=[competition.pk])
    preview_choices = assignment_preview(request.user, competition)
    form = ManualAssignmentForm(
        request.POST,
        applications=list(preview_choices.applications.items()),
        members=list(preview_choices.members.items()),
    )
    if not form.is_valid():
        messages.error(request, _("Choose an application and a member."))
        return redirect(back)
    try:
        services.assignments_apply(
            competition=competition,
            actor=request.user,
            plan={form.cleaned_data["application"]: [form.cleaned_data["member"]]},
        )
    except (RuleViolation, WrongState, NotPermitted) as exc:
        return refuse(request, exc, back)
    messages.success(request, _("The member was assigned."))
    return redirect(back)
