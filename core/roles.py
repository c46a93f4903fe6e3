"""What a person is, where: read once per request and kept on the user object,
so that permission checks over a list of objects cost no extra queries."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Roles:
    operator_ids: frozenset[int] = frozenset()
    admin_operator_ids: frozenset[int] = frozenset()
    group_roles: dict[int, str] = field(default_factory=dict)

    @property
    def group_ids(self) -> frozenset[int]:
        return frozenset(self.group_roles)

    def is_official_of(self, operator_id: int) -> bool:
        return operator_id in self.operator_ids

    def is_member_of(self, group_id: int) -> bool:
        return group_id in self.group_roles

    def is_owner_of(self, group_id: int) -> bool:
        return self.group_roles.get(group_id) == "owner"


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

    staff = list(StaffMembership.objects.filter(user=user).values_list("operator_id", "is_admin"))
    groups = dict(GroupMembership.objects.filter(user=user).values_list("group_id", "role"))
    roles = Roles(
        operator_ids=frozenset(op for op, _ in staff),
        admin_operator_ids=frozenset(op for op, admin in staff if admin),
        group_roles=groups,
    )
    setattr(user, _CACHE_ATTR, roles)
    return roles


def forget_roles(user) -> None:
    """After a membership changes in the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
