"""The OpenAPI schema generates without a warning and validates, and the
docs pages work offline: every script and stylesheet comes from our own
static files."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_schema_generates_without_warnings_and_validates(tmp_path):
    target = tmp_path / "schema.yaml"

    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(target),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    schema = yaml.safe_load(target.read_text())
    paths = schema["paths"]
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/competitions/",
        "/api/v1/competitions/{id}/transitions/{name}/",
        "/api/v1/competitions/{competition_pk}/criteria/",
        "/api/v1/public/competitions/",
        "/api/v1/applicant-groups/",
        "/api/v1/applicant-groups/invitations/{token}/accept/",
        "/api/v1/applications/",
        "/api/v1/applications/{id}/transitions/{name}/",
        "/api/v1/applications/{id}/problems/",
        "/api/v1/applications/{id}/history/",
        "/api/v1/applications/{application_pk}/budget-lines/",
        "/api/v1/applications/{application_pk}/attachments/{id}/download/",
        "/api/v1/applications/{application_pk}/snapshots/{version}/",
    ):
        assert path in paths, path
    statuses = schema["components"]["schemas"]["ApplicationStatus"]["enum"]
    assert "needs_correction" in statuses


@pytest.mark.django_db
def test_schema_is_served(api):
    response = api(None).get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Grantownik API"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_load_only_local_files(api, url):
    response = api(None).get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/drf_spectacular_sidecar/") or asset.startswith(
            "/api/schema/"
        ), asset
    assert "cdn.jsdelivr" not in html
    assert "unpkg.com" not in html


@pytest.mark.django_db
def test_swagger_ui_asks_no_outside_validator(api):
    html = api(None).get("/api/docs/").content.decode()

    assert '"validatorUrl": null' in html
