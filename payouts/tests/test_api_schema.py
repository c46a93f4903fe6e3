"""The grants, tranches and reports are in the OpenAPI schema with their
states as named enums. (`tests/test_openapi.py` checks that the whole
schema generates without a warning and validates.)"""

import pytest


@pytest.mark.django_db
def test_payout_resources_are_documented(api):
    schema = api(None).get("/api/schema/", HTTP_ACCEPT="application/json").json()

    paths = schema["paths"]
    for path in (
        "/api/v1/grants/",
        "/api/v1/grants/{id}/",
        "/api/v1/grants/{id}/budget/",
        "/api/v1/grants/{id}/contract/",
        "/api/v1/grants/{id}/contract/document/",
        "/api/v1/grants/{id}/settlement/",
        "/api/v1/grants/{id}/budget-lines/{line_pk}/approve-over/",
        "/api/v1/grants/{id}/refund/",
        "/api/v1/grants/{id}/history/",
        "/api/v1/grants/{id}/transitions/{name}/",
        "/api/v1/payments/",
        "/api/v1/payments/{id}/transitions/{name}/",
        "/api/v1/reports/",
        "/api/v1/reports/{id}/",
        "/api/v1/reports/{id}/history/",
        "/api/v1/reports/{id}/transitions/{name}/",
        "/api/v1/reports/{report_pk}/attachments/",
        "/api/v1/reports/{report_pk}/attachments/{id}/download/",
    ):
        assert path in paths, path
    components = schema["components"]["schemas"]
    assert "reporting" in components["GrantStatus"]["enum"]
    assert components["PaymentStatus"]["enum"] == ["scheduled", "approved", "paid"]
    assert "returned" in components["ReportStatus"]["enum"]
    assert components["ReportKind"]["enum"] == ["partial", "final"]
    document = paths["/api/v1/grants/{id}/contract/document/"]["get"]["responses"]["200"]
    assert set(document["content"]) == {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/html",
    }
    names = {
        p["name"]: p
        for p in paths["/api/v1/reports/{id}/transitions/{name}/"]["post"]["parameters"]
    }
    assert names["name"]["schema"]["enum"] == [
        "accept",
        "resubmit",
        "return_for_changes",
        "submit",
    ]
