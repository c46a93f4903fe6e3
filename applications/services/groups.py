from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import nip, regon

from core.errors import NotPermitted, RuleViolation
from core.notify import send_notice
from core.roles import forget_roles

from ..models import (
    ApplicantGroup,
    Application,
    Attachment,
    GroupInvitation,
    GroupMembership,
    InformalGroupMember,
)
from ..permissions import can_manage_group
from .common import clean_or_raise

GROUP_FIELDS = (
    "name",
    "kind",
    "krs",
    "nip",
    "regon",
    "address",
    "city",
    "postal_code",
    "email",
    "phone",
    "patron_name",
    "patron_krs",
    "bank_account",
)
INVITATION_DAYS = 14


def _krs(value: str) -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) > 10 or not digits or digits != value.strip().replace(" ", ""):
        raise StdnumError()
    return digits.zfill(10)


def normalise_identifiers(data: dict) -> dict:
    """Check KRS, NIP, REGON and IBAN and store them compact; collect every error."""
    errors: dict[str, list[str]] = {}
    checks = {
        "nip": (nip.validate, _("This is not a valid NIP.")),
        "regon": (regon.validate, _("This is not a valid REGON.")),
        "krs": (_krs, _("A KRS number has up to 10 digits.")),
        "patron_krs": (_krs, _("A KRS number has up to 10 digits.")),
        "bank_account": (iban.validate, _("This is not a valid IBAN account number.")),
    }
    for field, (validate, message) in checks.items():
        value = (data.get(field) or "").strip()
        if not value:
            continue
        if field == "bank_account" and value[:2].isdigit():
            value = "PL" + value
        try:
            data[field] = validate(value)
        except StdnumError:
            errors.setdefault(field, []).append(message)
    if errors:
        raise RuleViolation(errors=errors)
    return data


def _kind_requirements(group: ApplicantGroup) -> None:
    errors = {}
    if group.kind == ApplicantGroup.Kind.NGO and not group.krs:
        errors["krs"] = [_("A registered organisation must give its KRS number.")]
    if group.kind == ApplicantGroup.Kind.INFORMAL and not group.patron_name.strip():
        errors["patron_name"] = [_("An informal group needs a patron organisation.")]
    if errors:
        raise RuleViolation(errors=errors)


@transaction.atomic
def group_create(*, actor, data: dict) -> ApplicantGroup:
    data = normalise_identifiers({k: v for k, v in data.items() if k in GROUP_FIELDS})
    group = ApplicantGroup(**data)
    clean_or_raise(group)
    _kind_requirements(group)
    group.save()
    GroupMembership.objects.create(group=group, user=actor, role=GroupMembership.Role.OWNER)
    forget_roles(actor)
    return group


@transaction.atomic
def group_update(*, group: ApplicantGroup, actor, data: dict) -> ApplicantGroup:
    allowed, reason = can_manage_group(actor, group)
    if not allowed:
        raise NotPermitted(reason)
    group = ApplicantGroup.objects.select_for_update().get(pk=group.pk)
    data = normalise_identifiers({k: v for k, v in data.items() if k in GROUP_FIELDS})
    for field, value in data.items():
        setattr(group, field, value)
    clean_or_raise(group)
    _kind_requirements(group)
    group.save()
    return group


@transaction.atomic
def group_delete(*, group: ApplicantGroup, actor) -> None:
    allowed, reason = can_manage_group(actor, group)
    if not allowed:
        raise NotPermitted(reason)
    if group.applications.exclude(status=Application.Status.DRAFT).exists():
        raise RuleViolation(
            _(
                "The group has submitted applications; their records must be kept, so the group "
                "cannot be deleted."
            )
        )
    # Drafts were never submitted, so nothing must keep their files.
    stored = list(
        Attachment.objects.filter(application__group=group).values_list("file", flat=True)
    )
    group.applications.all().delete()
    group.delete()
    storage = Attachment._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in stored])
    forget_roles(actor)


@transaction.atomic
def group_invite(*, group: ApplicantGroup, actor, email: str, role: str) -> GroupInvitation:
    allowed, reason = can_manage_group(actor, group)
    if not allowed:
        raise NotPermitted(reason)
    email = email.strip().lower()
    if group.memberships.filter(user__email__iexact=email).exists():
        raise RuleViolation(errors={"email": [_("This person is already a member of the group.")]})
    invitation = GroupInvitation(
        group=group,
        email=email,
        role=role,
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    clean_or_raise(invitation, exclude=["token"])
    invitation.save()
    # Written to the outbox in this transaction: it commits with the change.
    send_notice(
        recipients=[(invitation.email, actor.language)],
        template="group_invitation",
        context={"invitation": invitation},
    )
    return invitation


@transaction.atomic
def invitation_accept(*, token, actor) -> GroupMembership:
    invitation = (
        GroupInvitation.objects.select_for_update()
        .select_related("group")
        .filter(token=token)
        .first()
    )
    if invitation is None or not invitation.is_open:
        raise RuleViolation(_("This invitation has expired or was already used."))
    if invitation.email.lower() != actor.email.lower():
        raise NotPermitted(
            _("This invitation was sent to another e-mail address. Log in with that address.")
        )
    membership, _created = GroupMembership.objects.get_or_create(
        group=invitation.group, user=actor, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = actor
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    forget_roles(actor)
    return membership


@transaction.atomic
def group_member_remove(*, group: ApplicantGroup, actor, membership: GroupMembership) -> None:
    allowed, reason = can_manage_group(actor, group)
    if not allowed and membership.user_id != actor.pk:
        raise NotPermitted(reason)
    owners = group.memberships.select_for_update().filter(role=GroupMembership.Role.OWNER)
    if membership.role == GroupMembership.Role.OWNER and owners.count() <= 1:
        raise RuleViolation(_("A group must keep at least one owner."))
    membership.delete()
    forget_roles(actor)


@transaction.atomic
def informal_member_add(*, group: ApplicantGroup, actor, data: dict) -> InformalGroupMember:
    allowed, reason = can_manage_group(actor, group)
    if not allowed:
        raise NotPermitted(reason)
    if group.kind != ApplicantGroup.Kind.INFORMAL:
        raise RuleViolation(_("Only an informal group lists its members this way."))
    member = InformalGroupMember(
        group=group, **{k: v for k, v in data.items() if k in ("full_name", "city", "is_adult")}
    )
    clean_or_raise(member)
    member.save()
    return member


@transaction.atomic
def informal_member_remove(*, group: ApplicantGroup, actor, member: InformalGroupMember) -> None:
    allowed, reason = can_manage_group(actor, group)
    if not allowed:
        raise NotPermitted(reason)
    member.delete()
