"""Applicants see only their groups' grants; officials only their operator's.
What one may not see is not there (404), whatever the kind of object."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from core.roles import forget_roles, roles_for
from core.transitions import available_transitions
from payouts.selectors import (
    grant_detail,
    grants_visible_to,
    payment_detail,
    payments_visible_to,
    report_attachment_for_download,
    report_detail,
    reports_visible_to,
)
from payouts.services import report_attachment_add, report_final_open
from tests import factories as f

from . import factories as pf


@pytest.fixture
def both(running, other_grant):
    """Our running grant and another operator's grant of another group."""
    return running, other_grant


def test_members_see_only_their_groups_grants(both, owner, editor, other_group_owner):
    ours, theirs = both
    assert list(grants_visible_to(owner)) == [ours]
    assert list(grants_visible_to(editor)) == [ours]
    assert list(grants_visible_to(other_group_owner)) == [theirs]


def test_officials_see_only_their_operators_grants(both, official, other_official):
    ours, theirs = both
    assert list(grants_visible_to(official)) == [ours]
    assert list(grants_visible_to(other_official)) == [theirs]


def test_outsiders_and_anonymous_see_nothing(both, outsider):
    assert not grants_visible_to(outsider).exists()
    assert not grants_visible_to(AnonymousUser()).exists()
    assert not grants_visible_to(None).exists()


@pytest.mark.parametrize("who", ["other_group_owner", "other_official", "outsider"])
def test_someone_elses_grant_is_404(both, request, who):
    ours, _theirs = both
    user = request.getfixturevalue(who)
    with pytest.raises(Http404):
        grant_detail(user, ours.pk)
    with pytest.raises(Http404):
        payment_detail(user, ours.payments.first().pk)


def test_reports_and_files_are_scoped_like_their_grant(both, owner, official, other_official):
    ours, _theirs = both
    report = report_final_open(grant=ours, actor=owner)
    attachment = report_attachment_add(
        report=report,
        actor=owner,
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    assert report_detail(official, report.pk) == report
    assert report_attachment_for_download(owner, attachment.pk) == attachment
    assert list(reports_visible_to(other_official)) == []
    with pytest.raises(Http404):
        report_detail(other_official, report.pk)
    with pytest.raises(Http404):
        report_attachment_for_download(other_official, attachment.pk)


def test_a_member_of_two_groups_sees_both(both, owner):
    ours, theirs = both
    f.MembershipFactory(group=theirs.group, user=owner, role="editor")
    forget_roles(owner)
    assert set(grants_visible_to(owner)) == {ours, theirs}


def test_available_transitions_follow_the_role(signed, running, owner, official, other_official):
    grant = pf.make_grant(competition=signed.competition, group=signed.group, owner=owner)
    assert available_transitions(grant, owner) == ["decline"]
    assert available_transitions(grant, official) == ["decline", "sign"]
    assert available_transitions(grant, other_official) == []
    payment = running.payments.get(order=1)
    assert available_transitions(payment, official) == ["approve"]
    assert available_transitions(payment, owner) == []


def test_lists_run_a_fixed_number_of_queries(
    competition, group, owner, official, django_assert_num_queries
):
    for _ in range(3):
        pf.signed_grant(competition=competition, group=group, owner=owner, official=official)
    # Roles are read once per user and cached on it; what is measured is the list.
    roles_for(official)
    with django_assert_num_queries(1):
        grants = list(grants_visible_to(official))
        for grant in grants:
            assert grant.paid_total == 0
            available_transitions(grant, official)
            str(grant.competition.operator)
            str(grant.group)
    assert len(grants) == 3
    with django_assert_num_queries(1):
        payments = list(payments_visible_to(official))
        for payment in payments:
            available_transitions(payment, official)
    assert len(payments) == 3
    with django_assert_num_queries(1):
        assert len(list(reports_visible_to(official))) == 0


def test_detail_prefetches_everything_it_shows(running, owner, django_assert_num_queries):
    grant = grant_detail(owner, running.pk)
    with django_assert_num_queries(0):
        assert len(grant.budget_lines.all()) == 3
        assert len(grant.payments.all()) == 2
        assert list(grant.reports.all()) == []
        assert len(grant.application.indicators.all()) == 1
