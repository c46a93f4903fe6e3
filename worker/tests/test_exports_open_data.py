"""The public results: the page, CSV and JSON for anybody once the competition
is decided, with nothing personal beyond what the rules publish; and the same
results as a 360Giving data package valid against the packaged schema."""

import copy
import csv
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from competitions.models import Competition
from worker.exports import giving360, public
from worker.exports.selectors import public_results

from .test_exports_data import known_competition

# What must never reach the public: contact details, the informal groups'
# members, the commission, individual scores and comments, the requested
# amounts, the unfunded application.
PRIVATE = [
    "biuro@zielone.example.org",
    "mlodzi@example.org",
    "600 100 200",
    "Ola Młoda",
    "Jan Sąsiad",
    "Nina Organizacja",
    "Szymon Społecznik",
    "Ewa Ekspertka",
    "Anna Urzędniczka",
    "Ciekawy pomysł młodzieży",
    "Bardzo dobry pomysł",
    "2500",
    "2 500",
    "2\xa0500",
    "Sąsiedzi z Podgórza",
    "Poniżej progu",
]


@pytest.fixture
def known(operator, official):
    return known_competition(operator=operator, official=official, informal_award=True)


def get(client, name, competition):
    return client.get(reverse(name, args=[competition.pk]))


def assert_nothing_private(text: str):
    for private in PRIVATE:
        assert private not in text, private


class TestPublicPage:
    def test_anybody_sees_the_awards(self, client, known):
        response = get(client, "public-results", known.competition)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Stowarzyszenie Zielone Zabłocie" in page
        assert "KRS 0000123456" in page
        assert "Ogród sąsiedzki na Zabłociu" in page
        assert "Młodzi z Olszy" in page
        assert "@Ogród deszczowy" in page
        assert "4\xa0000,00\xa0zł" in page
        assert "1\xa0500,00\xa0zł" in page
        assert_nothing_private(page)

    @pytest.mark.parametrize(
        "name",
        ["public-results", "public-results-csv", "public-results-json", "public-results-360giving"],
    )
    def test_nothing_before_the_decision(self, client, operator, official, name):
        known = known_competition(operator=operator, official=official, decide=False)
        assert known.competition.status == Competition.Status.IN_REVIEW
        assert get(client, name, known.competition).status_code == 404

    def test_queries_do_not_grow(self, operator, official, django_assert_num_queries):
        small = known_competition(operator=operator, official=official).competition
        large = known_competition(operator=operator, official=official, extra=8).competition
        Application.objects.filter(competition=large).update(status="awarded")

        def publish(competition):
            results = public_results(competition)
            public.results_csv(competition, results)
            public.results_document(competition, results)
            giving360.package(
                competition,
                results,
                programme_url="https://example.org/",
                data_url="https://example.org/d",
            )
            return len(results)

        with CaptureQueriesContext(connection) as queries:
            assert publish(small) == 1
        with django_assert_num_queries(len(queries)):
            assert publish(large) == 10


class TestCsv:
    def test_columns_values_and_inert_formulas(self, client, known):
        response = get(client, "public-results-csv", known.competition)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "attachment" in response["Content-Disposition"]
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")
        rows = list(csv.DictReader(StringIO(text.lstrip("\ufeff"))))
        assert list(rows[0]) == [
            "competition_id",
            "competition",
            "operator",
            "number",
            "applicant",
            "krs",
            "nip",
            "regon",
            "title",
            "amount_awarded",
            "currency",
            "award_date",
        ]
        first, third = rows
        assert first["applicant"] == "Stowarzyszenie Zielone Zabłocie"
        assert (first["krs"], first["nip"], first["regon"]) == ("0000123456", "6762466045", "")
        assert (first["amount_awarded"], first["currency"]) == ("4000.00", "PLN")
        assert first["award_date"] == timezone.localdate().isoformat()
        assert third["applicant"] == "Młodzi z Olszy"
        assert (third["krs"], third["nip"], third["regon"]) == ("", "", "")
        # A spreadsheet opening the file must not evaluate the title.
        assert third["title"] == "'@Ogród deszczowy"
        assert third["amount_awarded"] == "1500.00"
        assert_nothing_private(text)


class TestJson:
    def test_document(self, client, known):
        response = get(client, "public-results-json", known.competition)
        assert response.status_code == 200
        document = response.json()
        assert document["currency"] == "PLN"
        assert document["total_awarded"] == "5500.00"
        assert document["competition"]["id"] == known.competition.pk
        assert document["competition"]["operator"] == {"name": "Urząd Miasta Testowo"}
        first, third = document["results"]
        assert first == {
            "number": "DL/2026/001",
            "applicant": {
                "name": "Stowarzyszenie Zielone Zabłocie",
                "krs": "0000123456",
                "nip": "6762466045",
            },
            "title": "Ogród sąsiedzki na Zabłociu",
            "amount_awarded": "4000.00",
            "currency": "PLN",
            "award_date": timezone.localdate().isoformat(),
        }
        # An informal group: its name and nothing else.
        assert third["applicant"] == {"name": "Młodzi z Olszy"}
        assert third["title"] == "@Ogród deszczowy"
        assert_nothing_private(json.dumps(document, ensure_ascii=False))

    def test_the_api_lists_results_without_login(self, api, known, operator, official):
        other = known_competition(operator=operator, official=official)
        response = api(None).get(
            reverse("api-public-result-list"), {"competition": known.competition.pk}
        )
        assert response.status_code == 200
        results = response.json()["results"]
        assert [r["number"] for r in results] == ["DL/2026/001", "DL/2026/003"]
        assert results[1]["applicant"] == {"name": "Młodzi z Olszy"}
        assert results[0]["amount_awarded"] == "4000.00"
        everything = api(None).get(reverse("api-public-result-list")).json()
        assert everything["count"] == 3
        assert other.first.pk  # both decided competitions are listed
        assert_nothing_private(json.dumps(everything, ensure_ascii=False))


class Test360Giving:
    def package_of(self, client, known):
        response = get(client, "public-results-360giving", known.competition)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        return json.loads(response.content)

    def test_valid_against_the_packaged_schema(self, client, known):
        data = self.package_of(client, known)
        assert giving360.validation_errors(data) == []
        # The same check with jsonschema directly, so the helper is not the judge.
        giving360.validator().validate(data)

    def test_fields(self, client, known):
        data = self.package_of(client, known)
        slug = known.competition.operator.slug
        prefix = f"360G-grantownik-{slug}"
        assert data["version"] == "1.4"
        assert data["publisher"] == {"name": "Urząd Miasta Testowo", "identifier": prefix}
        first, third = data["grants"]
        assert first["id"] == f"{prefix}-{known.competition.pk}-DL-2026-001"
        assert first["currency"] == "PLN"
        assert (first["amountAppliedFor"], first["amountAwarded"], first["amountDisbursed"]) == (
            4000,
            4000,
            3200,
        )
        assert (third["amountAppliedFor"], third["amountAwarded"], third["amountDisbursed"]) == (
            2500,
            1500,
            0,
        )
        assert first["awardDate"] == timezone.localdate().isoformat()
        grant = known.grant
        assert first["plannedDates"] == [
            {
                "startDate": grant.project_start.isoformat(),
                "endDate": grant.project_end.isoformat(),
                "duration": first["plannedDates"][0]["duration"],
            }
        ]
        assert first["recipientOrganization"][0]["id"] == "PL-KRS-0000123456"
        assert first["recipientOrganization"][0]["name"] == "Stowarzyszenie Zielone Zabłocie"
        assert third["recipientOrganization"][0]["id"] == (f"{prefix}-GROUP-{known.third.group_id}")
        assert first["fundingOrganization"] == [{"id": prefix, "name": "Urząd Miasta Testowo"}]
        assert first["grantProgramme"][0]["title"] == known.competition.title
        assert first["grantProgramme"][0]["url"].endswith(
            reverse("public-results", args=[known.competition.pk])
        )
        assert first["fromOpenCall"] == "Yes"
        # End grants are never coded as regrants, whatever the competition's kind.
        assert known.competition.kind == Competition.Kind.REGRANTING
        assert all("regrantType" not in grant for grant in data["grants"])
        assert_nothing_private(json.dumps(data, ensure_ascii=False).replace("2500", ""))

    def test_polish_identifiers_in_order_krs_regon_nip(self):
        assert giving360.register_id(krs="0000123456", regon="123456785", nip="676-246-60-45") == (
            "PL-KRS-0000123456"
        )
        assert giving360.register_id(regon="123456785", nip="6762466045") == "PL-REGON-123456785"
        assert giving360.register_id(nip="PL 676-246-60-45") == "PL-NIP-6762466045"
        assert giving360.register_id() is None

    def test_an_operator_with_a_register_number(self, client, known):
        operator = known.competition.operator
        operator.regon = "351554353"
        operator.save()
        data = self.package_of(client, known)
        assert data["grants"][0]["fundingOrganization"][0]["id"] == "PL-REGON-351554353"
        assert giving360.validation_errors(data) == []

    def test_a_registered_prefix_replaces_the_internal_one(self, client, known, settings):
        settings.OPEN_DATA_360G_PREFIX = "360G-DLKrakow"
        data = self.package_of(client, known)
        assert data["grants"][0]["id"].startswith(
            f"360G-DLKrakow-{known.competition.operator.slug}-"
        )
        assert giving360.validation_errors(data) == []

    def test_the_validator_is_not_vacuous(self, client, known):
        data = self.package_of(client, known)
        broken = copy.deepcopy(data)
        del broken["grants"][0]["currency"]
        broken["grants"][1]["awardDate"] = "15.01.2026"
        broken["grants"][1]["amountAwarded"] = "1500.00"
        errors = giving360.validation_errors(broken)
        assert errors
        assert not giving360.validation_errors(data)
        assert giving360.validation_errors({"grants": []})

    def test_no_awards_no_package(self, client, operator, official):
        known = known_competition(operator=operator, official=official)
        Application.objects.filter(competition=known.competition, status="awarded").update(
            status="rejected"
        )
        assert get(client, "public-results-360giving", known.competition).status_code == 404
        assert get(client, "public-results", known.competition).status_code == 200

    def test_amounts_are_exact_numbers(self):
        assert giving360._number(Decimal("1234.56")) == 1234.56
        assert json.dumps(giving360._number(Decimal("99999999.99"))) == "99999999.99"
        assert json.dumps(giving360._number(Decimal("4000.00"))) == "4000"
