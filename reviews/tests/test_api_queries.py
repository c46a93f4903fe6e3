"""The review's lists run a fixed number of queries however many rows there
are: the count measured with one row must hold with many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f

from . import factories as rf


def queries_for(client, url):
    client.get(url)  # caches filled once per process (content types) stay out
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured), response.json()


def more_applications(competition, count):
    return [rf.in_review_application(competition) for _ in range(count)]


def test_review_list(api, reviewing, in_review, ngo_member, django_assert_num_queries):
    rf.scored(in_review[0], ngo_member, 10, 10, submitted=False)
    client = api(ngo_member.user)
    count, body = queries_for(client, "/api/v1/reviews/")
    assert body["count"] == 1
    # Roles (staff, groups, seats), the page count, the page, its scores and
    # the competitions' criteria.
    assert count <= 7

    for application in [in_review[1], *more_applications(reviewing, 10)]:
        rf.scored(application, ngo_member, 12, 20, submitted=False)
    f.CriterionFactory(competition=reviewing, name="Trwałość")

    with django_assert_num_queries(count):
        body = client.get("/api/v1/reviews/").json()
    assert body["count"] == 12
    assert {r["criteria_count"] for r in body["results"]} == {3}


def test_review_detail(api, reviewing, in_review, ngo_member, django_assert_num_queries):
    review = rf.scored(in_review[0], ngo_member, 10, 10, submitted=False)
    client = api(ngo_member.user)
    count, _ = queries_for(client, f"/api/v1/reviews/{review.pk}/")

    for index in range(8):
        criterion = f.CriterionFactory(competition=reviewing, name=f"Kryterium {index}")
        rf.ScoreFactory(review=review, criterion=criterion)

    with django_assert_num_queries(count):
        body = client.get(f"/api/v1/reviews/{review.pk}/").json()
    assert len(body["criteria"]) == 10


@pytest.mark.parametrize("tail", ["ranking/", "panel/", "funding-line/", "decisions/"])
def test_results(
    api, official, reviewing, in_review, ngo_member, second_member, tail, django_assert_num_queries
):
    rf.scored(in_review[0], ngo_member, 18, 30)
    rf.close_scoring(reviewing)
    client = api(official)
    url = f"/api/v1/competitions/{reviewing.pk}/{tail}"
    count, _ = queries_for(client, url)

    for application in [in_review[1], *more_applications(reviewing, 10)]:
        rf.scored(application, ngo_member, 12, 20)
        rf.scored(application, second_member, 15, 22)
    f.CriterionFactory(competition=reviewing, name="Trwałość", max_points=10)

    with django_assert_num_queries(count):
        client.get(url)


def test_commission_list(api, official, reviewing, in_review, chair, django_assert_num_queries):
    client = api(official)
    url = f"/api/v1/competitions/{reviewing.pk}/commission/"
    count, body = queries_for(client, url)
    assert len(body) == 1

    for _ in range(10):
        member = rf.signed_member(reviewing)
        rf.ReviewFactory(application=in_review[0], member=member)
    rf.CommissionMemberFactory(competition=reviewing)

    with django_assert_num_queries(count):
        assert len(client.get(url).json()) == 12


@pytest.mark.parametrize("tail", ["progress/", "assignments/"])
def test_progress_and_assignments(
    api, official, reviewing, in_review, ngo_member, second_member, tail, django_assert_num_queries
):
    rf.ReviewFactory(application=in_review[0], member=ngo_member)
    client = api(official)
    url = f"/api/v1/competitions/{reviewing.pk}/{tail}"
    count, _ = queries_for(client, url)

    for application in [in_review[1], *more_applications(reviewing, 10)]:
        rf.scored(application, ngo_member, 12, 20)
        rf.ReviewFactory(application=application, member=second_member)

    with django_assert_num_queries(count):
        client.get(url)


def test_formal_check(api, official, owner, group, competition, django_assert_num_queries):
    # Checklists are fixed once a competition is published, so a longer one
    # is another competition's.
    from applications.formal import formal_check_save
    from applications.services import application_submit

    def checked(competition):
        draft = f.ready_application(competition=competition, group=group)
        submitted = application_submit(application=draft, actor=owner)
        formal_check_save(
            application=submitted,
            actor=official,
            results=[{"item": i.pk, "passed": True} for i in competition.checklist_items.all()],
        )
        return f"/api/v1/applications/{submitted.pk}/formal-check/"

    client = api(official)
    count, _ = queries_for(client, checked(competition))

    longer = f.CompetitionFactory(operator=competition.operator)
    for index in range(8):
        f.ChecklistItemFactory(competition=longer, text=f"Wymóg {index}")
    url = checked(longer)

    with django_assert_num_queries(count):
        body = client.get(url).json()
    assert len(body["findings"]) == 8
