"""The commission's minutes: members and capacities, declarations and
conflicts, the scoring summary, the recommendation and the chair; as a page
and as a DOCX."""

import re
import zipfile
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import forget_roles, roles_for
from payouts.docx import DOCX_MIME
from reviews.models import CommissionMember
from worker.exports.selectors import minutes

from .test_exports_data import known_competition, polish


@pytest.fixture
def known(operator, official):
    return known_competition(operator=operator, official=official)


def page_of(client, user, known, **params):
    client.force_login(user)
    return client.get(reverse("minutes", args=[known.competition.pk]), params)


def document_text(content: bytes) -> str:
    with zipfile.ZipFile(BytesIO(content)) as package:
        xml = package.read("word/document.xml").decode()
    return re.sub(r"<[^>]+>", "", xml)


def test_the_page_records_the_commissions_work(client, known, official):
    response = page_of(client, official, known)
    assert response.status_code == 200
    text = response.content.decode()
    assert polish("Minutes of the competition commission", html=True) in text
    for name in ("Anna Urzędniczka", "Nina Organizacja", "Szymon Społecznik", "Ewa Ekspertka"):
        assert name in text
    assert polish("advisory voice", html=True) in text
    # Szymon's conflict with the second application.
    assert re.search(r"Szymon Społecznik</td><td>DL/2026/002</td><td>Sąsiedzi z Podgórza", text)
    # The scoring summary: means and the threshold.
    assert "47,00" in text and "32,00" in text and "33,00" in text
    # The recommendation: one application, 4,000 PLN of 60,000.
    assert "4\xa0000,00\xa0zł" in text
    assert "60\xa0000,00\xa0zł" in text
    chair = polish("Chair of the commission", html=True)
    assert f"{chair}: <strong>Anna Urzędniczka</strong>" in text


def test_the_word_document(client, known, official):
    response = page_of(client, official, known, format="docx")
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_MIME
    assert (
        f'filename="protokol-dl-2026-{known.competition.pk}.docx"'
        in response["Content-Disposition"]
    )
    text = document_text(response.content)
    assert polish("Minutes of the competition commission") in text
    assert "Szymon Społecznik" in text
    assert "Art. 24" in text
    assert "DL/2026/001" in text
    assert f"{polish('Chair of the commission')}: Anna Urzędniczka" in text


def test_in_english_for_an_english_reader(client, known, official):
    official.language = "en"
    official.save()
    response = page_of(client, official, known, format="docx")
    text = document_text(response.content)
    assert "Minutes of the competition commission" in text
    assert 'filename="minutes-dl-2026-' in response["Content-Disposition"]


def test_the_chair_reads_them_other_members_do_not(client, known, official):
    CommissionMember.objects.filter(pk=known.chair.pk).update(is_chair=False)
    CommissionMember.objects.filter(pk=known.nina.pk).update(is_chair=True)
    assert page_of(client, known.nina.user, known).status_code == 200
    assert page_of(client, known.szymon.user, known).status_code == 404
    assert page_of(client, known.expert.user, known).status_code == 404


def test_queries_do_not_grow(operator, official, django_assert_num_queries):
    small = known_competition(operator=operator, official=official).competition
    large = known_competition(operator=operator, official=official, extra=8).competition
    forget_roles(official)
    roles_for(official)
    with CaptureQueriesContext(connection) as queries:
        minutes(official, small)
    with django_assert_num_queries(len(queries)):
        minutes(official, large)
