"""Who downloads the spreadsheets and the minutes: the operator's officials.
Anyone else gets 404, an anonymous visitor the login page."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reviews.models import ReviewSettings
from tests import factories as f
from worker.exports.builders import XLSX_MIME

from .test_exports_data import known_competition, polish

EXPORTS = {
    "export-decisions": ["Decyzje"],
    "export-scoring-matrix": ["Macierz ocen", "Komentarze"],
    "export-formal": ["Ocena formalna", "Ustalenia"],
    "export-grants": ["Dotacje", "Transze"],
}
OFFICIAL_PAGES = [*EXPORTS, "competition-exports", "minutes"]


@pytest.fixture
def known(operator, official):
    return known_competition(operator=operator, official=official)


def url(name, known):
    return reverse(name, args=[known.competition.pk])


@pytest.mark.parametrize(("name", "sheets"), EXPORTS.items())
def test_the_official_downloads_each_export(client, known, official, name, sheets):
    client.force_login(official)
    response = client.get(url(name, known))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_MIME
    assert response["Cache-Control"] == "private, no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"-dl-2026-{known.competition.pk}.xlsx" in disposition
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == sheets


def test_an_english_official_gets_english_sheets(client, known, official):
    official.language = "en"
    official.save()
    client.force_login(official)
    response = client.get(url("export-grants", known))
    assert 'filename="grants-dl-2026-' in response["Content-Disposition"]
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["Grants", "Tranches"]
    assert book["Grants"]["A1"].value == "Contract"


@pytest.mark.parametrize("name", OFFICIAL_PAGES)
def test_anonymous_is_sent_to_log_in(client, known, name):
    response = client.get(url(name, known))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", OFFICIAL_PAGES)
def test_another_operators_official_gets_404(client, known, other_official, name):
    client.force_login(other_official)
    assert client.get(url(name, known)).status_code == 404
    if name in EXPORTS:
        assert client.post(url(name, known)).status_code == 404


@pytest.mark.parametrize("name", OFFICIAL_PAGES)
def test_a_commission_member_or_an_applicant_gets_404(client, known, name):
    applicant = f.MembershipFactory(group=known.first.group).user
    for user in (known.nina.user, applicant):
        client.force_login(user)
        assert client.get(url(name, known)).status_code == 404


def test_a_colleague_of_the_same_operator_may(client, known, operator):
    client.force_login(f.StaffMembershipFactory(operator=operator).user)
    assert client.get(url("export-decisions", known)).status_code == 200


def test_scores_wait_until_scoring_closes(client, operator, official):
    known = known_competition(operator=operator, official=official, decide=False)
    ReviewSettings.objects.filter(competition=known.competition).update(scoring_closed_at=None)
    client.force_login(official)
    for name in ("export-decisions", "export-scoring-matrix", "minutes"):
        response = client.get(url(name, known))
        assert response.status_code == 409
        assert (
            polish("Scores and results are exported once scoring closes.", html=True)
            in response.content.decode()
        )
    for name in ("export-formal", "export-grants"):
        assert client.get(url(name, known)).status_code == 200
    page = client.get(url("competition-exports", known)).content.decode()
    assert polish("The minutes are available once scoring closes.", html=True) in page
