"""Who sees and does what over the API. What you may not see is 404, never
403: another group's application, a draft for an official, another
operator's competition. What you see but may not do is 403; a transition in
the wrong state is 409 and changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import Application, ApplicationSnapshot, Attachment, BudgetLine
from applications.selectors import application_history
from applications.services import application_submit, application_withdraw, attachment_add
from core.models import AuditEntry
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def app_url(application, tail: str = "") -> str:
    return f"/api/v1/applications/{application.pk}/{tail}"


@pytest.fixture
def attachment(application, owner):
    return attachment_add(
        application=application,
        actor=owner,
        upload=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
    )


def every_request_on(application, attachment):
    line = application.budget_lines.first()
    return [
        ("get", app_url(application), None),
        ("patch", app_url(application), {"title": "Przejęty"}),
        ("get", app_url(application, "problems/"), None),
        ("get", app_url(application, "history/"), None),
        ("get", app_url(application, "snapshots/"), None),
        ("get", app_url(application, "answers/"), None),
        ("patch", app_url(application, "answers/"), {}),
        ("get", app_url(application, "budget-lines/"), None),
        ("post", app_url(application, "budget-lines/"), {"name": "X", "quantity": "1"}),
        ("get", app_url(application, f"budget-lines/{line.pk}/"), None),
        ("patch", app_url(application, f"budget-lines/{line.pk}/"), {"name": "Y"}),
        ("delete", app_url(application, f"budget-lines/{line.pk}/"), None),
        ("get", app_url(application, "schedule-items/"), None),
        ("get", app_url(application, "indicators/"), None),
        ("get", app_url(application, "attachments/"), None),
        ("get", app_url(application, f"attachments/{attachment.pk}/"), None),
        ("get", app_url(application, f"attachments/{attachment.pk}/download/"), None),
        ("delete", app_url(application, f"attachments/{attachment.pk}/"), None),
        ("post", app_url(application, "transitions/submit/"), {}),
        ("post", app_url(application, "transitions/withdraw/"), {}),
    ]


def assert_untouched(application):
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert application.title == "Ogród sąsiedzki na Zabłociu"
    assert BudgetLine.objects.filter(application=application).count() == 3
    assert Attachment.objects.filter(application=application).count() == 1
    assert not AuditEntry.objects.exists()


def test_another_groups_application_is_404_everywhere(
    api, other_group_owner, application, attachment
):
    client = api(other_group_owner)

    for method, url, data in every_request_on(application, attachment):
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 404, (method, url, response.status_code)

    assert application.pk not in {
        a["id"] for a in client.get("/api/v1/applications/").json()["results"]
    }
    assert_untouched(application)


def test_a_draft_is_404_to_the_operators_official(api, official, application, attachment):
    client = api(official)

    for method, url, data in every_request_on(application, attachment):
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
    assert_untouched(application)


def test_another_operators_official_never_sees_the_application(
    api, other_official, application, owner
):
    application_submit(application=application, actor=owner)
    client = api(other_official)

    assert client.get(app_url(application)).status_code == 404
    assert client.get(app_url(application, "snapshots/1/")).status_code == 404
    assert client.get("/api/v1/applications/").json()["count"] == 0


def test_the_operators_official_sees_it_once_submitted_but_may_not_change_it(
    api, official, application, owner
):
    application_submit(application=application, actor=owner)
    client = api(official)

    assert client.get(app_url(application)).status_code == 200
    assert client.patch(app_url(application), {"title": "X"}, format="json").status_code == 403
    assert client.post(app_url(application, "transitions/withdraw/"), {}).status_code == 403
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_an_editor_cannot_delete_the_group(api, editor, group):
    response = api(editor).delete(f"/api/v1/applicant-groups/{group.pk}/")

    assert response.status_code == 403
    assert "non_field_errors" in response.json()
    group.refresh_from_db()


def test_an_official_cannot_create_a_competition_for_another_operator(
    api, other_official, operator
):
    response = api(other_official).post(
        "/api/v1/competitions/",
        {
            "operator": operator.pk,
            "title": "Cudzy konkurs",
            "number_prefix": "X",
            "submission_deadline": "2030-01-01T12:00:00Z",
            "budget_total": "1000.00",
            "grant_min": "100.00",
            "grant_max": "500.00",
            "implementation_start": "2030-02-01",
            "implementation_end": "2030-06-01",
        },
        format="json",
    )

    assert response.status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/competitions/",
        "/api/v1/applications/",
        "/api/v1/applicant-groups/",
    ],
)
def test_anonymous_is_refused_private_resources(api, url, competition):
    response = api(None).get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_anonymous_is_refused_an_application_and_its_file(api, application, attachment):
    client = api(None)

    for url in (
        app_url(application),
        app_url(application, f"attachments/{attachment.pk}/download/"),
    ):
        assert client.get(url).status_code == 401
    assert client.post(app_url(application, "transitions/submit/"), {}).status_code == 401


@pytest.mark.parametrize("url", ["/api/v1/public/competitions/", "/api/schema/", "/api/docs/"])
def test_anonymous_reads_public_resources(api, url, competition):
    assert api(None).get(url).status_code == 200


class TestWrongState:
    def test_submitting_twice_is_409_and_changes_nothing(self, api, owner, application):
        submitted = application_submit(application=application, actor=owner)

        response = api(owner).post(app_url(application, "transitions/submit/"), {})

        assert response.status_code == 409
        assert "non_field_errors" in response.json()
        submitted.refresh_from_db()
        assert submitted.status == Application.Status.SUBMITTED
        assert submitted.number == "DL/2026/001"
        assert ApplicationSnapshot.objects.filter(application=application).count() == 1
        assert application_history(application).count() == 1

    def test_withdrawing_a_withdrawn_application_is_409(self, api, owner, application):
        application_withdraw(application=application, actor=owner)

        response = api(owner).post(
            app_url(application, "transitions/withdraw/"), {"comment": "Znowu"}, format="json"
        )

        assert response.status_code == 409
        application.refresh_from_db()
        assert application.status == Application.Status.WITHDRAWN
        assert application_history(application).count() == 1
        assert not ApplicationSnapshot.objects.exists()

    def test_resubmitting_a_draft_never_skips_a_state(self, api, owner, group, competition):
        # `resubmit` reaches the same service as `submit`, which picks the
        # transition by the state: a withdrawn application goes nowhere.
        withdrawn = f.ready_application(competition=competition, group=group)
        application_withdraw(application=withdrawn, actor=owner)

        response = api(owner).post(app_url(withdrawn, "transitions/resubmit/"), {})

        assert response.status_code == 409
        withdrawn.refresh_from_db()
        assert withdrawn.status == Application.Status.WITHDRAWN
        assert withdrawn.number == ""
        assert application_history(withdrawn).count() == 1


class TestTokenAuth:
    def test_obtain_a_token_and_use_it(self, client, owner, application):
        response = client.post(
            "/api/v1/auth/token/",
            {"email": owner.email.upper(), "password": "correct-horse-battery"},
            content_type="application/json",
        )

        assert response.status_code == 200, response.content
        token = response.json()["token"]
        listed = client.get("/api/v1/applications/", HTTP_AUTHORIZATION=f"Token {token}")
        assert listed.status_code == 200
        assert [a["id"] for a in listed.json()["results"]] == [application.pk]

    def test_a_wrong_password_gets_no_token(self, client, owner):
        response = client.post(
            "/api/v1/auth/token/",
            {"email": owner.email, "password": "wrong"},
            content_type="application/json",
        )

        assert response.status_code == 400
        assert "token" not in response.json()
        assert "non_field_errors" in response.json()

    def test_a_wrong_token_is_401(self, client, owner):
        response = client.get("/api/v1/applications/", HTTP_AUTHORIZATION="Token nonsense")

        assert response.status_code == 401


def test_token_endpoint_is_throttled(api, settings, owner):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "token": "3/minute"}
    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = rates
    try:
        client = api(None)
        codes = [
            client.post(
                "/api/v1/auth/token/", {"email": owner.email, "password": "wrong"}, format="json"
            ).status_code
            for _ in range(4)
        ]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
    assert codes == [400, 400, 400, 429]
