"""A competition in review with a commission: the chair (an official), two NGO
representatives and an advisory expert, all signed; and a member who has not
signed yet. Criteria from the root fixture: Trafność 0-20, Budżet 0-35."""

import pytest

from competitions.models import Competition
from reviews.models import CommissionMember
from tests import factories as f

from . import factories as rf


@pytest.fixture
def reviewing(competition):
    return rf.set_status(competition, Competition.Status.IN_REVIEW)


@pytest.fixture
def chair(reviewing, official):
    return rf.signed_member(
        reviewing, user=official, affiliation=CommissionMember.Affiliation.OFFICIAL, is_chair=True
    )


@pytest.fixture
def ngo_member(reviewing):
    return rf.signed_member(reviewing, user__full_name="Nina Organizacja")


@pytest.fixture
def second_member(reviewing):
    return rf.signed_member(reviewing, user__full_name="Szymon Społecznik")


@pytest.fixture
def expert(reviewing):
    return rf.signed_member(
        reviewing,
        user__full_name="Ewa Ekspertka",
        affiliation=CommissionMember.Affiliation.EXPERT,
    )


@pytest.fixture
def unsigned_member(reviewing):
    return rf.CommissionMemberFactory(competition=reviewing, user__full_name="Niepodpisany Nowak")


@pytest.fixture
def commission(chair, ngo_member, second_member, expert):
    return [chair, ngo_member, second_member, expert]


@pytest.fixture
def in_review(reviewing, group, owner):
    """Two applications in review: the fixture group's and another group's."""
    first = rf.in_review_application(reviewing, group=group, submitted_minutes_ago=120)
    second = rf.in_review_application(
        reviewing, group=f.GroupFactory(name="Fundacja Druga"), submitted_minutes_ago=60
    )
    return [first, second]


@pytest.fixture
def statuses():
    def read(*objects):
        return [type(o).objects.get(pk=o.pk).status for o in objects]

    return read
