"""My groups: create, edit, members, invitations, informal members, delete."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import NotPermitted, RuleViolation
from core.roles import roles_for
from core.views import apply_domain_errors, login_required

from .. import services
from ..forms import GroupForm, InformalMemberFormSet, InvitationForm, RequiredInformalMemberForm
from ..models import ApplicantGroup
from ..permissions import can_manage_group
from ..selectors import group_for_member, groups_of


@login_required
def group_list(request):
    roles = roles_for(request.user)
    groups = [
        (group, roles.group_roles.get(group.pk))
        for group in groups_of(request.user).order_by("name")
    ]
    return render(request, "applications/group_list.html", {"groups": groups})


def _members_of(formset) -> list[dict]:
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and form.cleaned_data.get("full_name")
    ]


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request):
    form = GroupForm(request.POST if request.method == "POST" else None)
    formset = InformalMemberFormSet(
        request.POST if request.method == "POST" else None, prefix="members"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            # The group and the people of an informal group are one record for
            # the applicant: all of it is saved, or none.
            with transaction.atomic():
                group = services.group_create(actor=request.user, data=form.cleaned_data)
                if group.kind == ApplicantGroup.Kind.INFORMAL:
                    for member in _members_of(formset):
                        services.informal_member_add(group=group, actor=request.user, data=member)
        except RuleViolation as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(request, _("The group “%(name)s” was created.") % {"name": group.name})
            return redirect("group-detail", pk=group.pk)
    return render(
        request,
        "applications/group_form.html",
        {"form": form, "formset": formset, "creating": True},
    )


def _group_page(request, group, *, invite_form=None, member_form=None, status=200):
    can_manage = can_manage_group(request.user, group)[0]
    return render(
        request,
        "applications/group_detail.html",
        {
            "group": group,
            "can_manage": can_manage,
            "memberships": group.memberships.all(),
            "invitations": group.invitations.all(),
            "informal_members": group.informal_members.all(),
            "is_informal": group.kind == ApplicantGroup.Kind.INFORMAL,
            "invite_form": invite_form or InvitationForm(prefix="invite"),
            "member_form": member_form or RequiredInformalMemberForm(prefix="member"),
        },
        status=status,
    )


@login_required
def group_detail(request, pk):
    return _group_page(request, group_for_member(request.user, pk))


def _require_owner(user, group) -> None:
    allowed, reason = can_manage_group(user, group)
    if not allowed:
        raise PermissionDenied(reason)


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request, pk):
    group = group_for_member(request.user, pk)
    _require_owner(request.user, group)
    form = GroupForm(
        request.POST if request.method == "POST" else None, initial=GroupForm.initial_from(group)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(group=group, actor=request.user, data=form.cleaned_data)
        except RuleViolation as exc:
            apply_domain_errors(form, exc)
        except NotPermitted as exc:
            raise PermissionDenied(exc.messages[0]) from exc
        else:
            messages.success(request, _("The group's details were saved."))
            return redirect("group-detail", pk=group.pk)
    return render(
        request, "applications/group_form.html", {"form": form, "group": group, "creating": False}
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_delete(request, pk):
    group = group_for_member(request.user, pk)
    if request.method == "POST":
        try:
            services.group_delete(group=group, actor=request.user)
        except NotPermitted as exc:
            raise PermissionDenied(exc.messages[0]) from exc
        except RuleViolation as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("group-detail", pk=group.pk)
        messages.success(request, _("The group “%(name)s” was deleted.") % {"name": group.name})
        return redirect("group-list")
    _require_owner(request.user, group)
    return render(request, "applications/group_confirm_delete.html", {"group": group})


@login_required
@require_POST
def group_invite(request, pk):
    group = group_for_member(request.user, pk)
    form = InvitationForm(request.POST, prefix="invite")
    if form.is_valid():
        try:
            invitation = services.group_invite(
                group=group,
                actor=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except NotPermitted as exc:
            raise PermissionDenied(exc.messages[0]) from exc
        except RuleViolation as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(
                request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("group-detail", pk=group.pk)
    return _group_page(request, group, invite_form=form)


@login_required
@require_POST
def group_member_remove(request, pk, membership_pk):
    group = group_for_member(request.user, pk)
    membership = next((m for m in group.memberships.all() if m.pk == membership_pk), None)
    if membership is None:
        raise Http404
    leaving = membership.user_id == request.user.pk
    try:
        services.group_member_remove(group=group, actor=request.user, membership=membership)
    except NotPermitted as exc:
        raise PermissionDenied(exc.messages[0]) from exc
    except RuleViolation as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("group-detail", pk=group.pk)
    if leaving:
        messages.success(request, _("You left the group “%(name)s”.") % {"name": group.name})
        return redirect("group-list")
    messages.success(request, _("%(person)s is no longer a member.") % {"person": membership.user})
    return redirect("group-detail", pk=group.pk)


@login_required
@require_POST
def informal_member_add(request, pk):
    group = group_for_member(request.user, pk)
    form = RequiredInformalMemberForm(request.POST, prefix="member")
    if form.is_valid():
        try:
            services.informal_member_add(group=group, actor=request.user, data=form.cleaned_data)
        except NotPermitted as exc:
            raise PermissionDenied(exc.messages[0]) from exc
        except RuleViolation as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(request, _("The member was added."))
            return redirect(f"{group_detail_url(group)}#informal-members")
    return _group_page(request, group, member_form=form)


@login_required
@require_POST
def informal_member_remove(request, pk, member_pk):
    group = group_for_member(request.user, pk)
    member = next((m for m in group.informal_members.all() if m.pk == member_pk), None)
    if member is None:
        raise Http404
    try:
        services.informal_member_remove(group=group, actor=request.user, member=member)
    except NotPermitted as exc:
        raise PermissionDenied(exc.messages[0]) from exc
    messages.success(request, _("%(person)s was removed from the list.") % {"person": member})
    return redirect(f"{group_detail_url(group)}#informal-members")


def group_detail_url(group) -> str:
    return reverse("group-detail", args=[group.pk])


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    if request.method == "POST":
        try:
            membership = services.invitation_accept(token=token, actor=request.user)
        except (RuleViolation, NotPermitted) as exc:
            status = 403 if isinstance(exc, NotPermitted) else 400
            return render(
                request,
                "applications/invitation_accept.html",
                {"errors": exc.messages},
                status=status,
            )
        messages.success(
            request,
            _("You are now a member of “%(name)s”.") % {"name": membership.group.name},
        )
        return redirect("group-detail", pk=membership.group_id)
    return render(request, "applications/invitation_accept.html", {})
