"""The formal check pages: the official's list and check screen, the outcomes
(accept, correction only when every failure is correctable, reject with
reasons), what changed after a correction, and the applicant's findings."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.formal import formal_accept, formal_check_save, formal_request_correction
from applications.models import Application, FormalCheck
from applications.services import application_submit, application_update
from core.templatetags.grantownik import warsaw
from tests import factories as f


@pytest.fixture
def submitted(application, owner):
    return application_submit(application=application, actor=owner)


@pytest.fixture
def official_client(client, official):
    client.force_login(official)
    return client


def _items(competition):
    fatal, correctable = list(competition.checklist_items.all())
    assert not fatal.correctable and correctable.correctable
    return fatal, correctable


def _findings(competition, *, fatal="yes", correctable="yes", comment=""):
    first, second = _items(competition)
    return {
        f"passed_{first.pk}": fatal,
        f"comment_{first.pk}": "",
        f"passed_{second.pk}": correctable,
        f"comment_{second.pk}": comment,
    }


def _status(application):
    return Application.objects.get(pk=application.pk).status


def test_the_list_shows_submitted_applications_with_their_state(
    official_client, submitted, competition, group
):
    draft = f.ApplicationFactory(competition=competition, group=group, title="Szkic")
    text = official_client.get(reverse("formal-check-list", args=[competition.pk])).content.decode()
    assert submitted.number in text
    assert submitted.title in text
    assert "Złożony" in text
    assert draft.title not in text
    assert reverse("formal-check", args=[submitted.pk]) in text


def test_the_check_shows_the_checklist_and_the_submitted_version(
    official_client, submitted, competition
):
    text = official_client.get(reverse("formal-check", args=[submitted.pk])).content.decode()
    assert "Wniosek złożony w terminie" in text
    assert "Kompletny podpis" in text
    assert "Sadzonki i ziemia" in text
    assert "Zapisz sprawdzenie" in text
    # Nothing is decided before every item is checked.
    assert "Przyjmij formalnie" not in text
    assert "Wezwij do poprawy" not in text


def test_saving_findings_then_accepting(official_client, submitted, competition):
    url = reverse("formal-check", args=[submitted.pk])
    assert official_client.post(url, _findings(competition)).status_code == 302
    check = FormalCheck.objects.get(application=submitted)
    assert [r.passed for r in check.results.all()] == [True, True]

    page = official_client.get(url).content.decode()
    assert "Przyjmij formalnie" in page
    response = official_client.post(reverse("formal-accept", args=[submitted.pk]), follow=True)

    assert "został przyjęty formalnie" in response.content.decode()
    assert _status(submitted) == Application.Status.FORMALLY_ACCEPTED


def test_correction_is_offered_with_its_deadline_when_every_failure_is_correctable(
    official_client, submitted, competition
):
    url = reverse("formal-check", args=[submitted.pk])
    official_client.post(url, _findings(competition, correctable="no", comment="Brak podpisu."))
    with time_machine.travel(timezone.now(), tick=False):
        page = official_client.get(url).content.decode()
        deadline = warsaw(timezone.now() + timedelta(days=competition.correction_window_days))
    assert "Wezwij do poprawy" in page
    assert deadline in page
    assert "Odrzuć formalnie" in page

    official_client.post(
        reverse("formal-correction", args=[submitted.pk]), {"comment": "Prosimy o podpis."}
    )

    submitted.refresh_from_db()
    assert submitted.status == Application.Status.NEEDS_CORRECTION
    assert submitted.correction_deadline is not None


def test_correction_is_not_offered_when_a_failure_cannot_be_corrected(
    official_client, submitted, competition
):
    url = reverse("formal-check", args=[submitted.pk])
    official_client.post(url, _findings(competition, fatal="no", correctable="no"))
    page = official_client.get(url).content.decode()
    assert "Wezwij do poprawy" not in page
    assert "nie można poprawić" in page
    assert "Odrzuć formalnie" in page

    # Posted anyway (an old tab): refused with the reason, nothing changes.
    response = official_client.post(reverse("formal-correction", args=[submitted.pk]), follow=True)
    assert "Wniosek złożony w terminie" in response.content.decode()
    assert _status(submitted) == Application.Status.SUBMITTED


def test_rejecting_needs_reasons(official_client, submitted, competition):
    official_client.post(
        reverse("formal-check", args=[submitted.pk]), _findings(competition, fatal="no")
    )
    url = reverse("formal-reject", args=[submitted.pk])
    response = official_client.post(url, {"reasons": ""})
    assert response.status_code == 422
    assert _status(submitted) == Application.Status.SUBMITTED

    official_client.post(url, {"reasons": "Wniosek złożony po terminie."})

    assert _status(submitted) == Application.Status.FORMALLY_REJECTED


def test_a_wrong_state_action_shows_a_message_and_changes_nothing(
    official_client, submitted, competition, official
):
    first, second = _items(competition)
    formal_check_save(
        application=submitted,
        actor=official,
        results=[{"item": first.pk, "passed": True}, {"item": second.pk, "passed": True}],
    )
    formal_accept(application=submitted, actor=official)

    response = official_client.post(reverse("formal-accept", args=[submitted.pk]), follow=True)
    assert "Oceny formalnej nie można teraz zmienić" in response.content.decode()
    assert FormalCheck.objects.filter(application=submitted).count() == 1
    saved = official_client.post(
        reverse("formal-check", args=[submitted.pk]), _findings(competition, correctable="no")
    )
    assert saved.status_code == 302
    assert [r.passed for r in FormalCheck.objects.get(application=submitted).results.all()] == [
        True,
        True,
    ]
    assert _status(submitted) == Application.Status.FORMALLY_ACCEPTED


def test_after_a_correction_the_changes_are_shown_and_the_applicant_reads_the_findings(
    official_client, submitted, competition, official, owner
):
    first, second = _items(competition)
    formal_check_save(
        application=submitted,
        actor=official,
        results=[
            {"item": first.pk, "passed": True},
            {"item": second.pk, "passed": False, "comment": "Brak podpisu skarbnika."},
        ],
    )
    formal_request_correction(application=submitted, actor=official, comment="Prosimy o podpis.")

    owner_client = Client()
    owner_client.force_login(owner)
    findings = owner_client.get(reverse("application-formal-findings", args=[submitted.pk]))
    text = findings.content.decode()
    assert "Kompletny podpis" in text
    assert "Brak podpisu skarbnika." in text
    assert "Prosimy o podpis." in text
    assert official.full_name not in text

    application_update(
        application=submitted, actor=owner, data={"title": "Ogród sąsiedzki, wersja poprawiona"}
    )
    application_submit(application=submitted, actor=owner)

    response = official_client.get(reverse("formal-check", args=[submitted.pk]))
    page = response.content.decode()
    assert "Co zmieniło się od wersji 1" in page
    assert "Ogród sąsiedzki na Zabłociu" in page
    assert "Ogród sąsiedzki, wersja poprawiona" in page
    # What passed before is marked already; the failed item is to be looked at again.
    initial = response.context["form"].initial
    assert initial[f"passed_{first.pk}"] == "yes"
    assert f"passed_{second.pk}" not in initial
    assert "Złożono poprawioną wersję" in page


def test_another_operators_official_sees_nothing(client, other_official, submitted, competition):
    client.force_login(other_official)
    urls = [
        ("get", reverse("formal-check-list", args=[competition.pk])),
        ("get", reverse("formal-check", args=[submitted.pk])),
        ("post", reverse("formal-check", args=[submitted.pk])),
        ("post", reverse("formal-accept", args=[submitted.pk])),
        ("post", reverse("formal-correction", args=[submitted.pk])),
        ("post", reverse("formal-reject", args=[submitted.pk])),
    ]
    for method, url in urls:
        assert getattr(client, method)(url, {"reasons": "x"}).status_code == 404, url
    assert _status(submitted) == Application.Status.SUBMITTED
    assert not FormalCheck.objects.filter(application=submitted).exists()


def test_applicants_do_not_see_the_check_screen(client, owner, submitted, competition):
    client.force_login(owner)
    assert client.get(reverse("formal-check", args=[submitted.pk])).status_code == 404
    assert client.get(reverse("formal-check-list", args=[competition.pk])).status_code == 404
