"""Forming the commission, signing the impartiality declaration, and starting
the review."""

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from applications.models import Application
from competitions.models import Competition, StaffMembership
from competitions.permissions import can_manage
from core.errors import NotPermitted, RuleViolation, WrongState
from core.notify import send_notice
from core.roles import forget_roles
from core.transitions import perform_transition, write_audit

from ..models import CommissionMember, Conflict, Declaration, ReviewSettings
from ..permissions import can_manage_commission
from .common import lock_competition, locked_settings, membership_conflicts, require

# The commission may be formed from the draft on, and changed until decided.
FORMING_STATES = (
    Competition.Status.DRAFT,
    Competition.Status.PUBLISHED,
    Competition.Status.CLOSED,
    Competition.Status.IN_REVIEW,
)
# The declaration covers every applicant, so it is signed once the list of
# applicants is final: after submissions closed.
SIGNING_STATES = (Competition.Status.CLOSED, Competition.Status.IN_REVIEW)
# Applications a member declares about: everything submitted that has not
# dropped out.
DECLARABLE_STATES = (
    Application.Status.SUBMITTED,
    Application.Status.NEEDS_CORRECTION,
    Application.Status.FORMALLY_ACCEPTED,
    Application.Status.IN_REVIEW,
)


def declaration_statement(member: CommissionMember) -> str:
    return _(
        "I, %(name)s, declare that in the competition “%(competition)s” I am in no relation "
        "to any applicant that would exclude me under art. 24 § 1 of the Code of Administrative "
        "Procedure, nor in any other that could raise doubts about my impartiality (art. 24 § 3), "
        "except those I list in this declaration. I will keep the content of the applications "
        "confidential and will tell the chair at once if such a relation comes to light later."
    ) % {"name": member.user.full_name, "competition": member.competition.title}


def _require_forming(competition: Competition) -> None:
    if competition.status not in FORMING_STATES:
        raise WrongState(
            _("The commission can no longer be changed: the competition's status is “%(status)s”.")
            % {"status": competition.get_status_display()}
        )


def _check_affiliation(competition: Competition, user, affiliation: str) -> None:
    if affiliation not in CommissionMember.Affiliation.values:
        raise RuleViolation(errors={"affiliation": [_("Choose the member's capacity.")]})
    if (
        affiliation == CommissionMember.Affiliation.OFFICIAL
        and not StaffMembership.objects.filter(
            operator_id=competition.operator_id, user=user
        ).exists()
    ):
        raise RuleViolation(
            errors={
                "affiliation": [
                    _("Only an official of the operator can sit on the commission as an official.")
                ]
            }
        )


def _make_chair(member: CommissionMember) -> None:
    if not member.scores:
        raise RuleViolation(
            errors={
                "is_chair": [_("An expert with an advisory voice cannot chair the commission.")]
            }
        )
    CommissionMember.objects.filter(competition_id=member.competition_id, is_chair=True).exclude(
        pk=member.pk
    ).update(is_chair=False)
    member.is_chair = True


@transaction.atomic
def commission_member_add(
    *, competition: Competition, actor, user, affiliation: str, is_chair: bool = False
) -> CommissionMember:
    competition = lock_competition(competition)
    require(can_manage_commission(actor, competition))
    _require_forming(competition)
    _check_affiliation(competition, user, affiliation)
    if CommissionMember.objects.filter(competition=competition, user=user).exists():
        raise RuleViolation(errors={"user": [_("This person is already on the commission.")]})
    member = CommissionMember(
        competition=competition, user=user, affiliation=affiliation, added_by=actor
    )
    if is_chair:
        _make_chair(member)
    member.save()
    write_audit(
        competition,
        transition="commission_member_add",
        actor=actor,
        payload={
            "member": member.pk,
            "user": user.pk,
            "affiliation": affiliation,
            "is_chair": member.is_chair,
        },
    )
    forget_roles(user)
    # Written to the outbox in this transaction: it commits with the change.
    send_notice(recipients=[user], template="commission_appointed", context={"member": member})
    return member


@transaction.atomic
def commission_member_update(
    *,
    member: CommissionMember,
    actor,
    affiliation: str | None = None,
    is_chair: bool | None = None,
) -> CommissionMember:
    competition = lock_competition(member.competition)
    require(can_manage_commission(actor, competition))
    _require_forming(competition)
    member = CommissionMember.objects.select_for_update().select_related("user").get(pk=member.pk)
    before = {"affiliation": member.affiliation, "is_chair": member.is_chair}
    if affiliation is not None and affiliation != member.affiliation:
        _check_affiliation(competition, member.user, affiliation)
        if (
            affiliation == CommissionMember.Affiliation.EXPERT
            and member.reviews.exclude(status="recused").exists()
        ):
            raise RuleViolation(
                errors={
                    "affiliation": [
                        _(
                            "This member holds reviews; an expert does not score. Have the "
                            "reviews reassigned first."
                        )
                    ]
                }
            )
        member.affiliation = affiliation
    if is_chair is True and not member.is_chair:
        _make_chair(member)
    elif is_chair is False:
        member.is_chair = False
    if member.is_chair and not member.scores:
        raise RuleViolation(
            errors={
                "is_chair": [_("An expert with an advisory voice cannot chair the commission.")]
            }
        )
    member.save(update_fields=["affiliation", "is_chair"])
    write_audit(
        competition,
        transition="commission_member_update",
        actor=actor,
        payload={
            "member": member.pk,
            "before": before,
            "after": {"affiliation": member.affiliation, "is_chair": member.is_chair},
        },
    )
    forget_roles(member.user)
    return member


@transaction.atomic
def commission_member_remove(*, member: CommissionMember, actor) -> None:
    competition = lock_competition(member.competition)
    require(can_manage_commission(actor, competition))
    _require_forming(competition)
    member = CommissionMember.objects.select_for_update().select_related("user").get(pk=member.pk)
    if member.reviews.exists() or Declaration.objects.filter(member=member).exists():
        raise RuleViolation(
            _(
                "A member who signed the declaration or holds reviews stays on record; "
                "have their open reviews reassigned instead."
            )
        )
    write_audit(
        competition,
        transition="commission_member_remove",
        actor=actor,
        payload={"member": member.pk, "user": member.user_id, "affiliation": member.affiliation},
    )
    member.delete()
    forget_roles(member.user)


def _parse_conflicts(competition: Competition, conflicts: Iterable[Mapping]) -> list[dict]:
    candidates = {
        a.pk: a
        for a in Application.objects.filter(competition=competition, status__in=DECLARABLE_STATES)
    }
    parsed: dict[int, dict] = {}
    errors: list[str] = []
    for entry in conflicts:
        raw = entry.get("application")
        application_id = raw.pk if isinstance(raw, Application) else raw
        try:
            application = candidates[int(application_id)]
        except (KeyError, TypeError, ValueError):
            errors.append(
                _("There is no such application in this competition: %(id)s.")
                % {"id": application_id}
            )
            continue
        if application.pk in parsed:
            errors.append(
                _("Application %(number)s is listed twice.") % {"number": application.number}
            )
            continue
        ground = entry.get("ground") or Conflict.Ground.OTHER
        details = (entry.get("details") or "").strip()
        if ground not in Conflict.Ground.values:
            errors.append(
                _("Choose the ground of the conflict with application %(number)s.")
                % {"number": application.number}
            )
            continue
        if ground == Conflict.Ground.OTHER and not details:
            errors.append(
                _("Describe the tie with application %(number)s.") % {"number": application.number}
            )
            continue
        parsed[application.pk] = {
            "application": application,
            "ground": ground,
            "details": details[:2000],
        }
    if errors:
        raise RuleViolation(errors={"conflicts": errors})
    return list(parsed.values())


@transaction.atomic
def declaration_sign(
    *, competition: Competition, actor, conflicts: Iterable[Mapping] = ()
) -> Declaration:
    """The member signs the impartiality declaration, naming their conflicts:
    [{"application": id, "ground": Conflict.Ground, "details": str}]. Conflicts
    through membership of an applying group are added whether named or not."""
    competition = lock_competition(competition)
    member = (
        CommissionMember.objects.select_for_update()
        .select_related("user", "competition")
        .filter(competition=competition, user=actor)
        .first()
    )
    if member is None:
        raise NotPermitted(_("Only members of the commission sign its declaration."))
    if competition.status not in SIGNING_STATES:
        raise WrongState(
            _("The declaration can be signed once submissions have closed and until the decision.")
        )
    if Declaration.objects.filter(member=member).exists():
        raise WrongState(_("You have already signed the declaration for this competition."))
    declared = _parse_conflicts(competition, conflicts)
    with translation.override(actor.language):
        statement = declaration_statement(member)
    declaration = Declaration.objects.create(member=member, statement=statement)
    Conflict.objects.bulk_create(
        [
            Conflict(
                member=member,
                application=entry["application"],
                declaration=declaration,
                ground=entry["ground"],
                details=entry["details"],
                source=Conflict.Source.DECLARATION,
            )
            for entry in declared
        ]
    )
    named = {entry["application"].pk for entry in declared}
    automatic = sorted(
        application
        for m, application in membership_conflicts(competition)
        if m == member.pk and application not in named
    )
    Conflict.objects.bulk_create(
        [
            Conflict(
                member=member,
                application_id=application,
                declaration=declaration,
                ground=Conflict.Ground.PARTY,
                source=Conflict.Source.MEMBERSHIP,
            )
            for application in automatic
        ]
    )
    write_audit(
        declaration,
        transition="sign",
        actor=actor,
        payload={
            "competition": competition.pk,
            "conflicts": [
                {"application": e["application"].pk, "ground": e["ground"]} for e in declared
            ],
            "membership_conflicts": automatic,
        },
    )
    forget_roles(actor)
    return declaration


@transaction.atomic
def competition_start_review(
    *, competition: Competition, actor, no_ngo_reason: str = "", comment: str = ""
) -> Competition:
    """Move the competition and its formally accepted applications to review.

    Refused while any application awaits its formal check or a correction, and
    when the commission has no NGO representative unless the reason is given
    (it is stored and audited).
    """
    competition = lock_competition(competition)
    require(can_manage(actor, competition))
    if competition.status != Competition.Status.CLOSED:
        raise WrongState(
            _("The review starts after submissions have closed (now: “%(status)s”).")
            % {"status": competition.get_status_display()}
        )
    unresolved = list(
        Application.objects.filter(
            competition=competition,
            status__in=[Application.Status.SUBMITTED, Application.Status.NEEDS_CORRECTION],
        )
        .order_by("sequence")
        .values_list("number", flat=True)
    )
    if unresolved:
        raise RuleViolation(
            errors={
                "applications": [
                    _("Finish the formal check first; still open: %(numbers)s.")
                    % {"numbers": ", ".join(unresolved)}
                ]
            }
        )
    affiliations = list(
        CommissionMember.objects.filter(competition=competition).values_list(
            "affiliation", flat=True
        )
    )
    scoring = [a for a in affiliations if a != CommissionMember.Affiliation.EXPERT]
    if len(scoring) < competition.reviewers_per_application:
        raise RuleViolation(
            errors={
                "commission": [
                    _(
                        "Each application needs %(k)s reviewers, but the commission has "
                        "%(n)s member(s) who score."
                    )
                    % {"k": competition.reviewers_per_application, "n": len(scoring)}
                ]
            }
        )
    no_ngo_reason = (no_ngo_reason or "").strip()
    has_ngo = CommissionMember.Affiliation.NGO_REPRESENTATIVE in affiliations
    if not has_ngo and not no_ngo_reason:
        raise RuleViolation(
            errors={
                "no_ngo_reason": [
                    _(
                        "The commission has no representative of NGOs; record why (for example, "
                        "no organisation put forward a candidate)."
                    )
                ]
            }
        )
    settings = locked_settings(competition)
    settings.no_ngo_reason = "" if has_ngo else no_ngo_reason
    settings.save(update_fields=["no_ngo_reason"])
    accepted = list(
        Application.objects.select_for_update(of=("self",))
        .select_related("competition", "competition__operator", "group")
        .filter(competition=competition, status=Application.Status.FORMALLY_ACCEPTED)
        .order_by("sequence")
    )
    perform_transition(
        competition,
        "start_review",
        actor=actor,
        comment=comment,
        payload={
            "applications": [a.pk for a in accepted],
            "no_ngo_reason": settings.no_ngo_reason,
        },
    )
    for application in accepted:
        perform_transition(application, "start_review", actor=actor)
    return competition


@transaction.atomic
def review_settings_update(*, competition: Competition, actor, disagreement_pct) -> ReviewSettings:
    competition = lock_competition(competition)
    require(can_manage(actor, competition))
    _require_forming(competition)
    try:
        value = Decimal(str(disagreement_pct)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        value = None
    if value is None or not Decimal("0") <= value <= Decimal("100"):
        raise RuleViolation(
            errors={"disagreement_pct": [_("Give a percentage between 0 and 100.")]}
        )
    settings = locked_settings(competition)
    before = settings.disagreement_pct
    settings.disagreement_pct = value
    settings.save(update_fields=["disagreement_pct"])
    write_audit(
        competition,
        transition="review_settings_update",
        actor=actor,
        payload={"disagreement_pct": {"before": before, "after": value}},
    )
    return settings
