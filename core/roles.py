"""What a person is, where: read once per request and kept on the user object,
so that permission checks over a list of objects cost no extra queries."""

from dataclasses import dataclass, field
from typing import NamedTuple


class CommissionSeat(NamedTuple):
    """A place on one competition's commission."""

    member_id: int
    affiliation: str
    is_chair: bool
    signed: bool


@dataclass(frozen=True)
class Roles:
    operator_ids: frozenset[int] = frozenset()
    admin_operator_ids: frozenset[int] = frozenset()
    group_roles: dict[int, str] = field(default_factory=dict)
    # Competition id → the seat on its commission.
    commission: dict[int, CommissionSeat] = field(default_factory=dict)

    @property
    def group_ids(self) -> frozenset[int]:
        return frozenset(self.group_roles)

    @property
    def commission_competition_ids(self) -> frozenset[int]:
        return frozenset(self.commission)

    def is_official_of(self, operator_id: int) -> bool:
        return operator_id in self.operator_ids

    def is_member_of(self, group_id: int) -> bool:
        return group_id in self.group_roles

    def is_owner_of(self, group_id: int) -> bool:
        return self.group_roles.get(group_id) == "owner"

    def seat_in(self, competition_id: int) -> CommissionSeat | None:
        return self.commission.get(competition_id)

    def is_commission_member_of(self, competition_id: int) -> bool:
        return competition_id in self.commission

    def is_chair_of(self, competition_id: int) -> bool:
        seat = self.commission.get(competition_id)
        return bool(seat and seat.is_chair)

    def has_signed_for(self, competition_id: int) -> bool:
        seat = self.commission.get(competition_id)
        return bool(seat and seat.signed)


_EMPTY = Roles()
_CACHE_ATTR = "_grantownik_roles"


def roles_for(user) -> Roles:
    if user is None or not getattr(user, "is_authenticated", False):
        return _EMPTY
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from applications.models import GroupMembership
    from competitions.models import StaffMembership
    from reviews.models import CommissionMember

    staff = list(StaffMembership.objects.filter(user=user).values_list("operator_id", "is_admin"))
    groups = dict(GroupMembership.objects.filter(user=user).values_list("group_id", "role"))
    # One query with the declaration joined in: whether the member has signed
    # decides what they may see, and is checked on every commission page.
    seats = CommissionMember.objects.filter(user=user).values_list(
        "competition_id", "pk", "affiliation", "is_chair", "declaration__pk"
    )
    roles = Roles(
        operator_ids=frozenset(op for op, _ in staff),
        admin_operator_ids=frozenset(op for op, admin in staff if admin),
        group_roles=groups,
        commission={
            competition_id: CommissionSeat(
                member_id, affiliation, is_chair, declaration_id is not None
            )
            for competition_id, member_id, affiliation, is_chair, declaration_id in seats
        },
    )
    setattr(user, _CACHE_ATTR, roles)
    return roles


def forget_roles(user) -> None:
    """After a membership changes in the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
