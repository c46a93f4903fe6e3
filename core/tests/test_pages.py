from decimal import Decimal

from django.urls import reverse

from core.templatetags.grantownik import pct, pln, warsaw
from tests import factories as f


def test_home_lists_open_competitions_for_anonymous(client, competition):
    closed = f.CompetitionFactory(title="Zamknięty nabór", status="closed")
    draft = f.CompetitionFactory(title="Szkic konkursu", status="draft")

    response = client.get(reverse("home"))

    assert response.status_code == 200
    text = response.content.decode()
    assert competition.title in text
    assert closed.title not in text
    assert draft.title not in text
    # Grant range in Polish money format, deadline in Warsaw time.
    assert "1\xa0000,00\xa0zł" in text
    assert "6\xa0000,00\xa0zł" in text
    assert warsaw(competition.submission_deadline) in text


def test_pages_are_polish_by_default_and_english_after_switching(client, competition):
    response = client.get(reverse("home"))
    assert '<html lang="pl">' in response.content.decode()
    assert "Otwarte konkursy" in response.content.decode()

    switched = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert switched.status_code == 302

    response = client.get(reverse("home"))
    text = response.content.decode()
    assert '<html lang="en">' in text
    assert "Open competitions" in text
    assert "1,000.00\xa0PLN" in text


def test_every_page_has_a_skip_link_and_a_language_switch(client, db):
    text = client.get(reverse("login")).content.decode()
    assert 'href="#main"' in text
    assert reverse("set_language") in text
    assert 'id="main"' in text


def test_register_logs_in_and_remembers_the_language(client, db):
    response = client.post(
        reverse("register"),
        {
            "email": "Nowa@Example.org",
            "full_name": "Nowa Osoba",
            "password1": "mocne-haslo-123",
            "password2": "mocne-haslo-123",
            "language": "en",
        },
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    home = client.get(reverse("home"))
    assert home.context["user"].email == "nowa@example.org"


def test_register_errors_are_listed_at_the_top_with_links(client, db):
    f.UserFactory(email="zajety@example.org")
    response = client.post(
        reverse("register"),
        {
            "email": "zajety@example.org",
            "full_name": "",
            "password1": "abc",
            "password2": "abd",
            "language": "pl",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in text
    assert 'href="#id_email"' in text
    assert 'href="#id_full_name"' in text
    assert 'aria-invalid="true"' in text


def test_login_and_logout(client, owner):
    response = client.post(
        reverse("login"), {"username": owner.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get(reverse("application-list")).status_code == 200
    # Logging out is a POST, so a link cannot log anyone out.
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("application-list")).status_code == 302


def test_money_and_time_filters(settings):
    from django.utils import translation

    with translation.override("pl"):
        assert pln(Decimal("1234.5")) == "1\xa0234,50\xa0zł"
        assert pln("0") == "0,00\xa0zł"
        assert pln(None) == "—"
        assert pct(Decimal("25")) == "25,00%"
    with translation.override("en"):
        assert pln(Decimal("1234.5")) == "1,234.50\xa0PLN"


def test_warsaw_time_is_shown_across_dst():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.utils import translation

    utc = ZoneInfo("UTC")
    with translation.override("pl"):
        # 11:00 UTC is 12:00 in winter and 13:00 in summer.
        assert warsaw(datetime(2027, 1, 15, 11, 0, tzinfo=utc), "H:i") == "12:00"
        assert warsaw(datetime(2026, 7, 15, 11, 0, tzinfo=utc), "H:i") == "13:00"


def test_home_query_count_does_not_grow(client, django_assert_num_queries, operator):
    f.CompetitionFactory(operator=operator)
    # Anonymous: no session, no user, one query for the list.
    with django_assert_num_queries(1):
        response = client.get(reverse("home"))
    assert len(response.context["competitions"]) == 1

    f.CompetitionFactory.create_batch(11, operator=operator)
    with django_assert_num_queries(1):
        response = client.get(reverse("home"))
    assert len(response.context["competitions"]) == 12


def test_home_query_count_for_a_logged_in_person(
    client, owner, django_assert_num_queries, operator
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(owner)
    f.CompetitionFactory(operator=operator)
    with CaptureQueriesContext(connection) as with_one:
        client.get(reverse("home"))
    f.CompetitionFactory.create_batch(11, operator=operator)
    with django_assert_num_queries(len(with_one)):
        client.get(reverse("home"))


def test_password_reset_sends_a_link(client, owner, mailoutbox):
    page = client.get(reverse("password_reset")).content.decode()
    assert "Zresetuj hasło" in page
    response = client.post(reverse("password_reset"), {"email": owner.email})
    assert response.url == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    assert "/password-reset/" in mailoutbox[0].body


def test_an_htmx_request_without_a_session_gets_401(client, application):
    response = client.post(
        reverse("application-section-save", args=[application.pk, "basic"]),
        {"title": "x"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 401
