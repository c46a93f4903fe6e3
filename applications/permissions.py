"""Who may do what with groups and applications. Checks return (allowed, reason);
`may_*` give django-fsm a boolean. Roles are cached per user, so these cost no
queries when the application was loaded with its competition."""

from django.utils.translation import gettext as _

from core.roles import roles_for


def can_edit_group(user, group) -> tuple[bool, str]:
    if roles_for(user).is_member_of(group.pk):
        return True, ""
    return False, _("Only the group's members may change it.")


def can_manage_group(user, group) -> tuple[bool, str]:
    if roles_for(user).is_owner_of(group.pk):
        return True, ""
    return False, _("Only an owner of the group may do this.")


def can_act_for_applicant(user, application) -> tuple[bool, str]:
    if roles_for(user).is_member_of(application.group_id):
        return True, ""
    return False, _("Only members of the applying group may do this.")


def can_act_for_operator(user, application) -> tuple[bool, str]:
    if roles_for(user).is_official_of(application.competition.operator_id):
        return True, ""
    return False, _("Only the operator's officials may do this.")


def may_act_for_applicant(application, user) -> bool:
    return can_act_for_applicant(user, application)[0]


def may_act_for_operator(application, user) -> bool:
    return can_act_for_operator(user, application)[0]
