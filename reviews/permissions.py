"""Who may do what on a competition's commission. Checks return (allowed,
reason); the `may_*` wrappers give django-fsm the bare boolean it wants. They
read the cached roles, so they cost no queries when the review was loaded with
its application, competition and member."""

from django.utils.translation import gettext as _

from core.roles import roles_for


def can_manage_commission(user, competition) -> tuple[bool, str]:
    if roles_for(user).is_official_of(competition.operator_id):
        return True, ""
    return False, _("Only the operator's officials manage the commission.")


def can_chair(user, competition) -> tuple[bool, str]:
    if roles_for(user).is_chair_of(competition.pk):
        return True, ""
    return False, _("Only the chair of the commission may do this.")


def can_see_results(user, competition) -> tuple[bool, str]:
    roles = roles_for(user)
    if roles.is_official_of(competition.operator_id) or roles.has_signed_for(competition.pk):
        return True, ""
    return False, _("Only the operator's officials and the commission see the results.")


def can_score(user, review) -> tuple[bool, str]:
    seat = roles_for(user).seat_in(review.application.competition_id)
    if seat is None or seat.member_id != review.member_id:
        return False, _("Only the member this application was assigned to may score it.")
    if not seat.signed:
        return False, _("Sign the impartiality declaration first.")
    return True, ""


def can_reopen(user, review) -> tuple[bool, str]:
    competition = review.application.competition
    roles = roles_for(user)
    if roles.is_official_of(competition.operator_id):
        return True, ""
    if roles.is_chair_of(competition.pk):
        from .selectors import is_conflicted_with

        if is_conflicted_with(user, review.application):
            return False, _("You have a conflict with this application.")
        return True, ""
    return False, _("Only the chair or an official may reopen a submitted review.")


def can_recuse(user, review) -> tuple[bool, str]:
    competition = review.application.competition
    roles = roles_for(user)
    seat = roles.seat_in(competition.pk)
    if (seat and seat.member_id == review.member_id) or roles.is_official_of(
        competition.operator_id
    ):
        return True, ""
    return False, _("Only the member concerned or an official may record a conflict.")


def may_score(review, user) -> bool:
    return can_score(user, review)[0]


def may_reopen(review, user) -> bool:
    return can_reopen(user, review)[0]


def may_recuse(review, user) -> bool:
    return can_recuse(user, review)[0]
