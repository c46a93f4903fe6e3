"""Who may do what with a competition. Each check returns (allowed, reason);
the `may_*` wrappers give django-fsm the bare boolean it wants."""

from django.utils.translation import gettext as _

from core.roles import roles_for


def can_manage(user, competition) -> tuple[bool, str]:
    if roles_for(user).is_official_of(competition.operator_id):
        return True, ""
    return False, _("Only the operator's officials manage this competition.")


def may_manage(competition, user) -> bool:
    return can_manage(user, competition)[0]
