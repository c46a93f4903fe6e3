from django.utils import timezone

from core.transitions import available_transitions
from payouts.services import grant_sign

from .factories import prepared_grant


def test_a_tranche_is_offered_for_approval_only_once_the_contract_is_signed(
    competition, group, owner, official
):
    grant = prepared_grant(official=official, competition=competition, group=group, owner=owner)
    tranche = grant.payments.get()
    assert "approve" not in available_transitions(tranche, official)

    grant_sign(grant=grant, actor=official, signed_on=timezone.localdate())
    tranche = grant.payments.select_related("grant").get()
    assert available_transitions(tranche, official) == ["approve"]
    assert available_transitions(tranche, owner) == []
