"""The formal check, the commission, the reviews and the results are in the
OpenAPI schema, their states as named enums. (`tests/test_openapi.py` checks
that the whole schema generates without a warning and validates.)"""

import pytest


@pytest.mark.django_db
def test_review_resources_are_documented(api):
    schema = api(None).get("/api/schema/", HTTP_ACCEPT="application/json").json()

    paths = schema["paths"]
    competition = "/api/v1/competitions/{competition_pk}/"
    for path in (
        "/api/v1/applications/{id}/formal-check/",
        "/api/v1/applications/{id}/reviews/",
        "/api/v1/reviews/",
        "/api/v1/reviews/{id}/",
        "/api/v1/reviews/{id}/transitions/{name}/",
        f"{competition}commission/",
        f"{competition}commission/{{id}}/",
        f"{competition}declaration/",
        f"{competition}assignments/",
        f"{competition}assignments/preview/",
        f"{competition}assignments/apply/",
        f"{competition}progress/",
        f"{competition}scoring/",
        f"{competition}scoring/transitions/{{name}}/",
        f"{competition}ranking/",
        f"{competition}panel/",
        f"{competition}funding-line/",
        f"{competition}recommendations/",
        f"{competition}recommendations/from-proposal/",
        f"{competition}decisions/",
        f"{competition}decisions/from-proposal/",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/applications/{id}/formal-check/"]) >= {"get", "put"}
    assert set(paths[f"{competition}commission/{{id}}/"]) >= {"get", "patch", "delete"}
    components = schema["components"]["schemas"]
    assert components["ReviewStatus"]["enum"] == ["assigned", "in_progress", "submitted", "recused"]
    assert components["DecisionOutcome"]["enum"] == ["awarded", "reserve", "rejected"]
    assert components["FundingOutcome"]["enum"] == ["funded", "partial", "reserve", "rejected"]
    assert "relative" in components["ConflictGround"]["enum"]
    assert components["FormalCheck"]["oneOf"] == [
        {"$ref": "#/components/schemas/OfficialFormalCheck"},
        {"$ref": "#/components/schemas/ApplicantFormalCheck"},
    ]
