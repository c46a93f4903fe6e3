"""Grants of `group` in `competition` (both from the root conftest) at each
stage, built through the services."""

from decimal import Decimal

import pytest

from payouts.services import grant_start
from tests import factories as f

from . import factories as pf


@pytest.fixture
def grant(competition, group, owner):
    """Awarded in full (4,000 PLN as requested), contract in preparation."""
    return pf.make_grant(competition=competition, group=group, owner=owner)


@pytest.fixture
def reduced_grant(competition, group, owner):
    """Awarded 3,000 PLN of the 4,000 requested: the budget must be updated."""
    return pf.make_grant(
        competition=competition, group=group, owner=owner, amount=Decimal("3000.00")
    )


@pytest.fixture
def signed(competition, group, owner, official):
    """Signed, 4,000 PLN in two tranches of 3,200 and 800."""
    return pf.signed_grant(
        competition=competition,
        group=group,
        owner=owner,
        official=official,
        amounts=(Decimal("3200.00"), Decimal("800.00")),
    )


@pytest.fixture
def running(signed, official):
    return grant_start(grant=signed, actor=official)


@pytest.fixture
def other_grant(db, other_official, other_group_owner):
    """A grant of another operator's competition and another group."""
    operator = other_official.staff_memberships.get().operator
    competition = f.CompetitionFactory(operator=operator)
    group = other_group_owner.group_memberships.get().group
    return pf.make_grant(competition=competition, group=group, owner=other_group_owner)
