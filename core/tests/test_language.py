import pytest

from tests import factories as f


@pytest.mark.django_db
def test_pages_are_polish_whatever_the_browser_asks(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response["Content-Language"] == "pl"
    assert 'lang="pl"' in response.content.decode()


@pytest.mark.django_db
def test_the_switcher_cookie_chooses_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get("/")["Content-Language"] == "en"


@pytest.mark.django_db
def test_a_users_saved_language_applies_after_login(client):
    user = f.UserFactory(language="en")
    client.force_login(user)
    assert client.get("/")["Content-Language"] == "en"


@pytest.mark.django_db
def test_api_clients_may_ask_for_english(client):
    response = client.get("/api/v1/public/competitions/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "en"
    assert client.get("/api/v1/public/competitions/")["Content-Language"] == "pl"
