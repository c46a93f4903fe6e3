"""Fixtures shared by every test: people in their roles (official of the
operator, official of another operator, group owner, group editor, outsider),
a published competition, and API clients logged in as each of them."""

import os

import pytest
from rest_framework.test import APIClient

from tests import factories as f

# Playwright drives the browser from an event loop in the test's thread; the
# live server and fixtures still talk to the database synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.LANGUAGE_CODE = "pl"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    cache.clear()  # throttle counters must not leak from one test into the next


@pytest.fixture
def operator(db):
    return f.OperatorFactory(name="Urząd Miasta Testowo")


@pytest.fixture
def official(operator):
    return f.StaffMembershipFactory(operator=operator, user__full_name="Anna Urzędniczka").user


@pytest.fixture
def other_official(db):
    return f.StaffMembershipFactory(user__full_name="Obcy Urzędnik").user


@pytest.fixture
def competition(operator):
    competition = f.CompetitionFactory(operator=operator)
    f.CriterionFactory(competition=competition, name="Trafność", max_points=20)
    f.CriterionFactory(competition=competition, name="Budżet", max_points=35)
    f.ChecklistItemFactory(
        competition=competition, text="Wniosek złożony w terminie", correctable=False
    )
    f.ChecklistItemFactory(competition=competition, text="Kompletny podpis", correctable=True)
    return competition


@pytest.fixture
def group(db):
    return f.GroupFactory(name="Stowarzyszenie Zielone Zabłocie")


@pytest.fixture
def owner(group):
    return f.MembershipFactory(group=group, role="owner", user__full_name="Olga Właścicielka").user


@pytest.fixture
def editor(group):
    return f.MembershipFactory(group=group, role="editor", user__full_name="Edward Edytor").user


@pytest.fixture
def outsider(db):
    return f.UserFactory(full_name="Osoba Postronna")


@pytest.fixture
def other_group_owner(db):
    return f.MembershipFactory(user__full_name="Inna Grupa").user


@pytest.fixture
def application(competition, group, owner):
    """A complete draft of `group`, ready to submit."""
    return f.ready_application(competition=competition, group=group, created_by=owner)


def _client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api():
    """`api(user)` is an API client acting as that user; `api(None)` is anonymous."""
    return _client_for


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true nothing may skip: a skip (no Chromium, no PostgreSQL) is a failure."""
    report = yield
    if (
        report.skipped
        and os.environ.get("CI", "").lower() == "true"
        and not hasattr(report, "wasxfail")
    ):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"Skipped under CI=true, which allows no skips: {reason}"
    return report
