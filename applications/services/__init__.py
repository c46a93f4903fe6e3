"""Every write to groups and applications goes through these functions."""

from .drafting import (
    answers_save,
    application_create,
    application_update,
    attachment_add,
    attachment_delete,
    part_delete,
    part_save,
)
from .groups import (
    group_create,
    group_delete,
    group_invite,
    group_member_remove,
    group_update,
    informal_member_add,
    informal_member_remove,
    invitation_accept,
)
from .submission import application_submit, application_withdraw, snapshot_data

__all__ = [
    "answers_save",
    "application_create",
    "application_submit",
    "application_update",
    "application_withdraw",
    "attachment_add",
    "attachment_delete",
    "group_create",
    "group_delete",
    "group_invite",
    "group_member_remove",
    "group_update",
    "informal_member_add",
    "informal_member_remove",
    "invitation_accept",
    "part_delete",
    "part_save",
    "snapshot_data",
]
