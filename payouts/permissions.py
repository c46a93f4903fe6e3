"""Who may do what with grants, tranches and reports.

Each `can_*` check returns (allowed, reason) so a page can say why a button is
missing; the `may_*` wrappers give django-fsm the bare boolean it wants. Roles
are cached per user (`core.roles`), so with the grant loaded together with its
competition these cost no queries, also over a list.
"""

from django.utils.translation import gettext as _

from core.roles import roles_for


def _operator_id(grant) -> int:
    return grant.competition.operator_id


def can_view_grant(user, grant) -> tuple[bool, str]:
    roles = roles_for(user)
    if roles.is_official_of(_operator_id(grant)) or roles.is_member_of(grant.group_id):
        return True, ""
    return False, _("You cannot see this grant.")


def can_act_for_grantee(user, grant) -> tuple[bool, str]:
    if roles_for(user).is_member_of(grant.group_id):
        return True, ""
    return False, _("Only members of the group that received the grant may do this.")


def can_manage_grant(user, grant) -> tuple[bool, str]:
    if roles_for(user).is_official_of(_operator_id(grant)):
        return True, ""
    return False, _("Only the operator's officials may do this.")


def can_decline_grant(user, grant) -> tuple[bool, str]:
    # The resignation is the group's; an official may record one the group
    # sent on paper.
    if can_act_for_grantee(user, grant)[0] or can_manage_grant(user, grant)[0]:
        return True, ""
    return False, _("Only the group or the operator's officials may record a resignation.")


# django-fsm calls permission callables as (instance, user).


def may_manage_grant(grant, user) -> bool:
    return can_manage_grant(user, grant)[0]


def may_decline_grant(grant, user) -> bool:
    return can_decline_grant(user, grant)[0]


def may_manage_payment(payment, user) -> bool:
    return can_manage_grant(user, payment.grant)[0]


def may_act_for_grantee_report(report, user) -> bool:
    return can_act_for_grantee(user, report.grant)[0]


def may_manage_report(report, user) -> bool:
    return can_manage_grant(user, report.grant)[0]


def system_only(instance, user) -> bool:
    """For transitions only scheduled jobs run (they pass no actor)."""
    return False
