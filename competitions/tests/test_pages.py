"""Competition pages: the public list and detail, and the officials' lists."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f


def test_competition_page_offers_to_apply(client, owner, competition, outsider):
    url = reverse("competition-detail", args=[competition.pk])
    anonymous = client.get(url).content.decode()
    assert "Zaloguj się, aby złożyć wniosek" in anonymous
    assert "Trafność" in anonymous

    client.force_login(outsider)
    assert reverse("group-create") in client.get(url).content.decode()

    client.force_login(owner)
    assert reverse("application-start", args=[competition.pk]) in client.get(url).content.decode()


def test_competition_page_shows_rules_dates_amounts_and_documents(client, competition):
    f.FormQuestionFactory(
        competition=competition, label="Statut organizacji", kind="file", required=True
    )
    f.FormQuestionFactory(competition=competition, label="Czy projekt jest nowy?", kind="yes_no")
    competition.rules = "Wnioski składają grupy z gminy Testowo."
    competition.save()

    text = client.get(reverse("competition-detail", args=[competition.pk])).content.decode()

    assert "Wnioski składają grupy z gminy Testowo." in text
    assert "od 1\xa0000,00\xa0zł do 6\xa0000,00\xa0zł" in text
    assert "Statut organizacji" in text
    assert "Czy projekt jest nowy?" in text
    assert "Kompletny podpis" in text  # a formal requirement
    assert "Budżet" in text and "35" in text  # a criterion and its points


def test_draft_competition_is_not_found_for_the_public(client, outsider, official):
    draft = f.CompetitionFactory(status="draft", operator=official.staff_memberships.get().operator)
    url = reverse("competition-detail", args=[draft.pk])
    assert client.get(url).status_code == 404
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(official)
    assert client.get(url).status_code == 200


def test_closed_competition_does_not_offer_to_apply(client, owner):
    closed = f.CompetitionFactory(status="closed")
    client.force_login(owner)
    text = client.get(reverse("competition-detail", args=[closed.pk])).content.decode()
    assert "nie przyjmuje wniosków" in text
    assert reverse("application-start", args=[closed.pk]) not in text


def test_competition_list_query_count_does_not_grow(client, django_assert_num_queries, operator):
    url = reverse("competition-list")
    f.CompetitionFactory(operator=operator)
    with CaptureQueriesContext(connection) as with_one:
        client.get(url)
    f.CompetitionFactory.create_batch(11, operator=operator)
    with django_assert_num_queries(len(with_one)):
        response = client.get(url)
    assert len(response.context["competitions"]) == 12


def test_officials_list_their_operators_competitions_only(client, official, competition):
    foreign = f.CompetitionFactory(title="Konkurs innego operatora")
    client.force_login(official)
    text = client.get(reverse("official-competitions")).content.decode()
    assert competition.title in text
    assert foreign.title not in text
    assert client.get(reverse("official-applications", args=[foreign.pk])).status_code == 404


def test_official_lists_query_count_does_not_grow(
    client, official, operator, django_assert_num_queries
):
    client.force_login(official)
    url = reverse("official-competitions")
    f.CompetitionFactory(operator=operator)
    client.get(url)
    with CaptureQueriesContext(connection) as with_one:
        client.get(url)
    f.CompetitionFactory.create_batch(11, operator=operator)
    with django_assert_num_queries(len(with_one)):
        client.get(url)


def test_competition_page_lists_my_applications_in_it(client, owner, application, competition):
    client.force_login(owner)
    text = client.get(reverse("competition-detail", args=[competition.pk])).content.decode()
    assert "Twoje wnioski w tym konkursie:" in text
    assert reverse("application-detail", args=[application.pk]) in text
