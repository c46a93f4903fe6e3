"""Lists and the detail page run a fixed number of queries, however many rows
there are: the count measured with one row must hold with many."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Answer, BudgetLine, Indicator
from applications.services import application_submit
from tests import factories as f


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.json()


def test_application_list_for_a_group(
    api, owner, group, competition, application, django_assert_num_queries
):
    client = api(owner)
    count, body = queries_for(client, "/api/v1/applications/")
    assert body["count"] == 1
    # The user's roles (a query per kind of membership), the page count, and
    # the page with its competition and group joined.
    assert count <= 6

    for _ in range(11):
        f.ready_application(competition=competition, group=group)
    other = f.CompetitionFactory(operator=competition.operator)
    f.ApplicationFactory.create_batch(3, competition=other, group=group)

    with django_assert_num_queries(count):
        assert client.get("/api/v1/applications/").json()["count"] == 15


def test_application_list_for_an_official(
    api, official, owner, group, competition, application, django_assert_num_queries
):
    application_submit(application=application, actor=owner)
    client = api(official)
    count, body = queries_for(client, "/api/v1/applications/")
    assert body["count"] == 1

    for _ in range(11):
        member = f.MembershipFactory()
        draft = f.ready_application(competition=competition, group=member.group)
        application_submit(application=draft, actor=member.user)

    with django_assert_num_queries(count):
        body = client.get("/api/v1/applications/").json()
    assert body["count"] == 12
    assert {a["status"] for a in body["results"]} == {"submitted"}


def test_application_detail(api, owner, competition, application, django_assert_num_queries):
    client = api(owner)
    url = f"/api/v1/applications/{application.pk}/"
    question = f.FormQuestionFactory(competition=competition)
    Answer.objects.create(application=application, question=question, value="Tak")
    count, _ = queries_for(client, url)
    # The user's roles, the application, and one query for each kind of part.
    assert count <= 12

    for index in range(12):
        BudgetLine.objects.create(
            application=application,
            name=f"Pozycja {index}",
            quantity=Decimal("1"),
            unit_cost=Decimal("10.00"),
            grant_amount=Decimal("10.00"),
        )
        Indicator.objects.create(
            application=application, result="Wynik", name=f"Wskaźnik {index}", target_value=1
        )
        extra = f.FormQuestionFactory(competition=competition)
        Answer.objects.create(application=application, question=extra, value=str(index))

    with django_assert_num_queries(count):
        body = client.get(url).json()
    assert len(body["budget_lines"]) == 15
    assert len(body["answers"]) == 13


def test_group_list(api, owner, group, django_assert_num_queries):
    client = api(owner)
    count, _ = queries_for(client, "/api/v1/applicant-groups/")

    for _ in range(10):
        f.MembershipFactory(user=owner, role="editor")

    with django_assert_num_queries(count):
        assert client.get("/api/v1/applicant-groups/").json()["count"] == 11
