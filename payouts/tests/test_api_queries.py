"""Lists and the grant's detail run a fixed number of queries however many
rows there are: the count measured with one row must hold with many."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Indicator
from payouts.models import GrantBudgetLine
from payouts.services import payment_approve, report_final_open, report_request
from tests import factories as f

from . import factories as pf


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured), response.json()


def busy_grant(*, competition, official, owner=None, group=None):
    """A running grant with tranche 1 paid, tranche 2 approved, a partial and
    a final report."""
    if owner is None:
        member = f.MembershipFactory(role="owner")
        owner, group = member.user, member.group
    grant = pf.running_grant(
        competition=competition,
        group=group,
        owner=owner,
        official=official,
        amounts=(Decimal("3000.00"), Decimal("1000.00")),
    )
    first, second = grant.payments.order_by("order")
    pf.pay(first, official)
    payment_approve(payment=second, actor=official)
    report_request(grant=grant, actor=official, due_date=timezone.localdate() + timedelta(days=10))
    report_final_open(grant=grant, actor=owner)
    return grant


def test_grant_list_for_a_group(
    api, owner, group, competition, official, signed, django_assert_num_queries
):
    client = api(owner)
    count, body = queries_for(client, "/api/v1/grants/")
    assert body["count"] == 1
    # The user's roles (one query per kind of membership), the page count,
    # and the page with its competition, group and application joined.
    assert count <= 6

    for _ in range(3):
        busy_grant(competition=competition, official=official, owner=owner, group=group)
    elsewhere = f.CompetitionFactory(operator=competition.operator)
    pf.make_grant(competition=elsewhere, group=group, owner=owner)

    with django_assert_num_queries(count):
        body = client.get("/api/v1/grants/").json()
    assert body["count"] == 5


def test_grant_list_for_an_official(api, official, competition, signed, django_assert_num_queries):
    client = api(official)
    count, body = queries_for(client, "/api/v1/grants/")
    assert body["count"] == 1

    for _ in range(4):
        busy_grant(competition=competition, official=official)

    with django_assert_num_queries(count):
        body = client.get("/api/v1/grants/?report_overdue=false&refund_due=false").json()
    assert body["count"] == 5
    assert {row["paid_total"] for row in body["results"]} == {"0.00", "3000.00"}


def test_payment_list(api, official, owner, group, competition, django_assert_num_queries):
    # One tranche to start with.
    single = pf.signed_grant(competition=competition, group=group, owner=owner, official=official)
    client = api(official)
    count, body = queries_for(client, "/api/v1/payments/")
    assert body["count"] == 1

    for _ in range(3):
        busy_grant(competition=competition, official=official)

    with django_assert_num_queries(count):
        body = client.get("/api/v1/payments/").json()
    assert body["count"] == 7
    assert {row["status"] for row in body["results"]} == {"scheduled", "approved", "paid"}
    assert "Anna Urzędniczka" in {row["approved_by"] for row in body["results"]}

    owner_client = api(owner)
    count, body = queries_for(owner_client, "/api/v1/payments/")
    assert [row["grant"]["id"] for row in body["results"]] == [single.pk]
    busy_grant(competition=competition, official=official, owner=owner, group=group)
    with django_assert_num_queries(count):
        assert owner_client.get("/api/v1/payments/").json()["count"] == 3


def test_report_list(api, official, owner, group, competition, running, django_assert_num_queries):
    report_final_open(grant=running, actor=owner)
    client = api(official)
    count, body = queries_for(client, "/api/v1/reports/")
    assert body["count"] == 1
    assert body["results"][0]["available_transitions"] == []

    for _ in range(3):
        busy_grant(competition=competition, official=official)

    with django_assert_num_queries(count):
        body = client.get("/api/v1/reports/").json()
    assert body["count"] == 7

    owner_client = api(owner)
    count, body = queries_for(owner_client, "/api/v1/reports/")
    assert body["results"][0]["available_transitions"] == ["submit"]
    busy_grant(competition=competition, official=official, owner=owner, group=group)
    with django_assert_num_queries(count):
        assert owner_client.get("/api/v1/reports/").json()["count"] == 3


def test_grant_detail(api, official, owner, group, competition, django_assert_num_queries):
    few = pf.running_grant(competition=competition, group=group, owner=owner, official=official)
    report_final_open(grant=few, actor=owner)
    client = api(owner)
    count, body = queries_for(client, f"/api/v1/grants/{few.pk}/")
    assert len(body["reports"]) == 1
    # Roles, the grant, then one query each for its budget lines, tranches,
    # reports and planned indicators.
    assert count <= 9

    many = busy_grant(competition=competition, official=official, owner=owner, group=group)
    for index in range(4):
        report_request(
            grant=many, actor=official, due_date=timezone.localdate() + timedelta(days=index)
        )
        Indicator.objects.create(
            application=many.application, result="Wynik", name=f"Wskaźnik {index}", target_value=1
        )
        GrantBudgetLine.objects.create(
            grant=many, name=f"Pozycja {index}", quantity=1, unit_cost=Decimal("0.00")
        )

    with django_assert_num_queries(count):
        body = client.get(f"/api/v1/grants/{many.pk}/").json()
    assert len(body["reports"]) == 6
    assert len(body["payments"]) == 2
    assert len(body["indicators"]) == 5
    assert len(body["budget_lines"]) == 7
    assert body["available_transitions"] == []


def test_report_detail(
    api, owner, official, group, competition, running, django_assert_num_queries
):
    few = report_final_open(grant=running, actor=owner)
    client = api(owner)
    count, body = queries_for(client, f"/api/v1/reports/{few.pk}/")
    assert len(body["lines"]) == 3

    many_grant = busy_grant(competition=competition, official=official, owner=owner, group=group)
    many = many_grant.reports.get(kind="final")
    for index in range(4):
        Indicator.objects.create(
            application=many_grant.application, result="W", name=f"W {index}", target_value=1
        )
        GrantBudgetLine.objects.create(
            grant=many_grant, name=f"Pozycja {index}", quantity=1, unit_cost=Decimal("0.00")
        )

    with django_assert_num_queries(count):
        body = client.get(f"/api/v1/reports/{many.pk}/").json()
    assert len(body["lines"]) == 7
    assert len(body["results"]) == 5
