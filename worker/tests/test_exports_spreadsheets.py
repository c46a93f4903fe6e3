"""The four spreadsheets, each built for the known competition and opened
with openpyxl: sheets, headers (Polish by default, English for an English
reader), value types, number formats, frozen header, autofilter, widths, the
values themselves, inert formulas, and a query count that does not grow with
the number of applications."""

from datetime import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from core.roles import forget_roles, roles_for
from reviews.models import Decision
from worker.exports.builders import build_xlsx, export_filename
from worker.exports.xlsx import WARSAW

from .test_exports_data import INJECTED_TITLE, known_competition

PLN_PL = '#,##0.00 "zł"'
PLN_EN = '#,##0.00 "PLN"'
D = Decimal


@pytest.fixture
def known(operator, official):
    return known_competition(operator=operator, official=official)


def workbook(kind, user, competition):
    buffer = BytesIO()
    build_xlsx(kind, user=user, competition=competition, target=buffer)
    buffer.seek(0)
    return load_workbook(buffer)


def rows_of(ws):
    header = [c.value for c in ws[1]]
    return header, [
        dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)
    ]


def cell(ws, header: str, row: int):
    """The cell under `header` in data row `row` (1 = the first below the header)."""
    column = [c.value for c in ws[1]].index(header) + 1
    return ws.cell(row=row + 1, column=column)


def assert_house_style(ws, columns: int, rows: int):
    assert ws.freeze_panes == "A2"
    last = ws.cell(row=1, column=columns).column_letter
    assert ws.auto_filter.ref == f"A1:{last}{rows + 1}"
    assert ws.max_column == columns
    assert ws.max_row == rows + 1
    assert all(c.font.b for c in ws[1])
    widths = [
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width
        for i in range(1, columns + 1)
    ]
    assert all(8 <= width <= 80 for width in widths)


def local(moment: datetime) -> datetime:
    return moment.astimezone(WARSAW).replace(tzinfo=None, microsecond=0)


class TestDecisions:
    def test_polish_by_default(self, known, official):
        book = workbook("decisions", official, known.competition)
        assert book.sheetnames == ["Decyzje"]
        ws = book["Decyzje"]
        header, rows = rows_of(ws)
        assert header == [
            "Miejsce",
            "Numer",
            "Wnioskodawca",
            "Tytuł projektu",
            "Wnioskowano",
            "Rekomendowano",
            "Przyznano",
            "Średnia ocena",
            "Ocena znormalizowana",
            "Trafność (maks. 20)",
            "Budżet (maks. 35)",
            "Liczba ocen",
            "Próg (pkt)",
            "Powyżej progu",
            "Linia finansowania",
            "Decyzja",
            "Uzasadnienie",
            "Data decyzji",
            "Data złożenia",
        ]
        assert_house_style(ws, columns=19, rows=2)
        first, second = rows
        assert first["Numer"] == "DL/2026/001"
        assert first["Wnioskodawca"] == "Stowarzyszenie Zielone Zabłocie"
        assert (first["Miejsce"], second["Miejsce"]) == (1, 2)
        assert (first["Wnioskowano"], first["Rekomendowano"], first["Przyznano"]) == (
            4000,
            4000,
            4000,
        )
        assert (second["Rekomendowano"], second["Przyznano"]) == (0, None)
        assert (first["Średnia ocena"], second["Średnia ocena"]) == (47, 32)
        assert (first["Trafność (maks. 20)"], first["Budżet (maks. 35)"]) == (18, 29)
        assert (first["Liczba ocen"], second["Liczba ocen"]) == (2, 2)
        assert first["Próg (pkt)"] == 33
        assert (first["Powyżej progu"], second["Powyżej progu"]) == ("tak", "nie")
        with translation.override("pl"):
            assert first["Decyzja"] == str(Decision.Outcome.AWARDED.label)
            assert second["Decyzja"] == str(Decision.Outcome.REJECTED.label)
        assert second["Uzasadnienie"] == "Poniżej progu"
        decision = known.first.decision
        assert first["Data decyzji"] == local(decision.decided_at)
        assert first["Data złożenia"] == local(known.first.submitted_at)

    def test_types_and_formats(self, known, official):
        ws = workbook("decisions", official, known.competition)["Decyzje"]
        for header in ("Wnioskowano", "Rekomendowano", "Przyznano"):
            money = cell(ws, header, 1)
            assert money.data_type == "n"
            assert money.number_format == PLN_PL
        for header in (
            "Średnia ocena",
            "Ocena znormalizowana",
            "Trafność (maks. 20)",
            "Próg (pkt)",
        ):
            score = cell(ws, header, 1)
            assert (score.data_type, score.number_format) == ("n", "0.00")
            assert isinstance(score.value, int | float)
        assert isinstance(cell(ws, "Miejsce", 1).value, int)
        decided = cell(ws, "Data decyzji", 1)
        assert isinstance(decided.value, datetime)
        assert decided.number_format == "yyyy-mm-dd hh:mm"
        assert decided.is_date

    def test_a_formula_in_a_title_stays_text(self, known, official):
        ws = workbook("decisions", official, known.competition)["Decyzje"]
        title = cell(ws, "Tytuł projektu", 2)
        assert title.value == INJECTED_TITLE
        assert title.data_type == "s"
        assert title.quotePrefix

    def test_english_for_an_english_reader(self, known, official):
        official.language = "en"
        book = workbook("decisions", official, known.competition)
        assert book.sheetnames == ["Decisions"]
        ws = book["Decisions"]
        header, rows = rows_of(ws)
        assert header[:9] == [
            "Rank",
            "Number",
            "Applicant",
            "Project title",
            "Requested",
            "Recommended",
            "Awarded",
            "Mean score",
            "Normalised score",
        ]
        assert header[9:11] == ["Trafność (max 20)", "Budżet (max 35)"]
        assert rows[0]["Above the threshold"] == "yes"
        assert cell(ws, "Awarded", 1).number_format == PLN_EN
        with translation.override("en"):
            assert export_filename("decisions", known.competition).startswith("decisions-dl-2026-")
        with translation.override("pl"):
            assert export_filename("decisions", known.competition).startswith("decyzje-dl-2026-")


class TestScoringMatrix:
    def test_members_by_applications_by_criteria(self, known, official):
        book = workbook("scoring_matrix", official, known.competition)
        assert book.sheetnames == ["Macierz ocen", "Komentarze"]
        ws = book["Macierz ocen"]
        header, rows = rows_of(ws)
        assert header == [
            "Numer",
            "Wnioskodawca",
            "Tytuł projektu",
            "Członek komisji",
            "Funkcja",
            "Przewodniczący",
            "Ocena",
            "Konflikt interesów",
            "Trafność (maks. 20)",
            "Budżet (maks. 35)",
            "Razem",
            "Komentarz ogólny",
            "Data złożenia",
        ]
        assert_house_style(ws, columns=13, rows=5)
        summary = [
            (
                r["Numer"],
                r["Członek komisji"],
                r["Trafność (maks. 20)"],
                r["Budżet (maks. 35)"],
                r["Razem"],
            )
            for r in rows
        ]
        assert summary == [
            ("DL/2026/001", "Nina Organizacja", 20, 30, 50),
            ("DL/2026/001", "Szymon Społecznik", 16, 28, 44),
            ("DL/2026/002", "Anna Urzędniczka", 12, 22, 34),
            ("DL/2026/002", "Nina Organizacja", 10, 20, 30),
            ("DL/2026/002", "Szymon Społecznik", None, None, None),
        ]
        chair_row, recused = rows[2], rows[4]
        assert chair_row["Przewodniczący"] == "tak"
        with translation.override("pl"):
            from reviews.models import Conflict, Review

            assert recused["Ocena"] == str(Review.Status.RECUSED.label)
            assert recused["Konflikt interesów"] == str(Conflict.Ground.RELATIVE.label)
        assert rows[0]["Ocena"] != recused["Ocena"]
        # An overall comment starting with "-" is text, not a formula.
        comment = cell(ws, "Komentarz ogólny", 2)
        assert (comment.value, comment.data_type, comment.quotePrefix) == (
            "-Budżet zawyżony",
            "s",
            True,
        )
        assert isinstance(cell(ws, "Data złożenia", 1).value, datetime)
        assert cell(ws, "Razem", 1).number_format == "0.00"

        comments = book["Komentarze"]
        header, rows = rows_of(comments)
        assert header == [
            "Numer",
            "Członek komisji",
            "Kryterium",
            "Maksimum",
            "Punkty",
            "Komentarz",
        ]
        assert_house_style(comments, columns=6, rows=8)
        assert rows[0] == {
            "Numer": "DL/2026/001",
            "Członek komisji": "Nina Organizacja",
            "Kryterium": "Trafność",
            "Maksimum": 20,
            "Punkty": 20,
            "Komentarz": None,
        }

    def test_conflict_without_assignment_is_marked(self, known, official):
        from reviews.tests import factories as rf

        rf.ConflictFactory(member=known.expert, application=known.first)
        ws = workbook("scoring_matrix", official, known.competition)["Macierz ocen"]
        _header, rows = rows_of(ws)
        expert = next(r for r in rows if r["Członek komisji"] == "Ewa Ekspertka")
        assert expert["Ocena"] == "konflikt interesów"
        assert expert["Razem"] is None


class TestFormal:
    def test_latest_round_and_every_finding(self, known, official):
        book = workbook("formal", official, known.competition)
        assert book.sheetnames == ["Ocena formalna", "Ustalenia"]
        ws = book["Ocena formalna"]
        header, rows = rows_of(ws)
        assert header == [
            "Numer",
            "Wnioskodawca",
            "Tytuł projektu",
            "Status wniosku",
            "Data złożenia",
            "Data ostatniego złożenia",
            "Rundy",
            "Wynik",
            "Wniosek złożony w terminie",
            "Kompletny podpis",
            "Komentarz dla wnioskodawcy",
            "Sprawdził(a)",
            "Data zakończenia",
            "Termin poprawek",
        ]
        assert_house_style(ws, columns=14, rows=2)
        first, second = rows
        assert (first["Rundy"], second["Rundy"]) == (1, 2)
        assert first["Kompletny podpis"] == second["Kompletny podpis"] == "spełniony"
        assert first["Sprawdził(a)"] == "Anna Urzędniczka"
        assert isinstance(first["Data zakończenia"], datetime)
        findings = book["Ustalenia"]
        header, rows = rows_of(findings)
        assert_house_style(findings, columns=7, rows=6)
        failed = [r for r in rows if r["Ustalenie"] == "niespełniony"]
        assert failed == [
            {
                "Numer": "DL/2026/002",
                "Runda": 1,
                "Wymóg": "Kompletny podpis",
                "Można poprawić": "tak",
                "Ustalenie": "niespełniony",
                "Komentarz": "Brak podpisu",
                "Data sprawdzenia": failed[0]["Data sprawdzenia"],
            }
        ]
        assert isinstance(failed[0]["Data sprawdzenia"], datetime)


class TestGrants:
    def test_contract_tranches_paid_reported_refund(self, known, official):
        book = workbook("grants", official, known.competition)
        assert book.sheetnames == ["Dotacje", "Transze"]
        ws = book["Dotacje"]
        header, rows = rows_of(ws)
        assert header == [
            "Umowa",
            "Numer",
            "Grantobiorca",
            "Tytuł projektu",
            "Status",
            "Wnioskowano",
            "Przyznano",
            "Data podpisania",
            "Początek projektu",
            "Koniec projektu",
            "Transze",
            "Zaplanowano",
            "Wypłacono",
            "Ostatnia wypłata",
            "Wydatki z dotacji w sprawozdaniu",
            "Sprawozdanie końcowe",
            "Termin sprawozdania końcowego",
            "Wydatki kwalifikowalne",
            "Kwota do zwrotu",
            "Zwrócono",
            "Pozostało do zwrotu",
            "Termin zwrotu",
        ]
        assert_house_style(ws, columns=22, rows=1)
        (row,) = rows
        assert row["Umowa"] == "DL/2026/001"
        assert row["Grantobiorca"] == "Stowarzyszenie Zielone Zabłocie"
        assert (row["Przyznano"], row["Zaplanowano"], row["Wypłacono"]) == (4000, 4000, 3200)
        assert row["Transze"] == 2
        today = datetime.combine(timezone.localdate(), datetime.min.time())
        assert row["Data podpisania"] == today
        assert row["Ostatnia wypłata"] == today
        assert row["Wydatki z dotacji w sprawozdaniu"] is None
        assert row["Zwrócono"] == 0
        for header_name in ("Przyznano", "Wypłacono", "Zwrócono"):
            assert cell(ws, header_name, 1).number_format == PLN_PL
        assert cell(ws, "Data podpisania", 1).number_format == "yyyy-mm-dd"
        tranches = book["Transze"]
        _header, rows = rows_of(tranches)
        assert_house_style(tranches, columns=10, rows=2)
        assert [(r["Transza"], r["Kwota"], r["Wypłacona kwota"]) for r in rows] == [
            (1, 3200, 3200),
            (2, 800, None),
        ]
        assert isinstance(rows[0]["Termin"], datetime)


def _queries_of(build) -> int:
    with CaptureQueriesContext(connection) as queries:
        build()
    return len(queries)


@pytest.mark.parametrize("kind", ["decisions", "scoring_matrix", "formal", "grants"])
def test_queries_do_not_grow_with_applications(kind, operator, official, django_assert_num_queries):
    small = known_competition(operator=operator, official=official).competition
    large = known_competition(operator=operator, official=official, extra=8).competition
    assert (small.applications.count(), large.applications.count()) == (2, 10)
    # The roles are read once per request; read them before counting.
    forget_roles(official)
    roles_for(official)
    expected = _queries_of(
        lambda: build_xlsx(kind, user=official, competition=small, target=BytesIO())
    )
    with django_assert_num_queries(expected):
        build_xlsx(kind, user=official, competition=large, target=BytesIO())


def test_a_date_column_holds_real_dates(known, official):
    ws = workbook("grants", official, known.competition)["Transze"]
    due = cell(ws, "Termin", 1)
    assert isinstance(due.value, datetime)
    assert due.value.date() == known.grant.payments.order_by("order").first().due_date
    assert due.number_format == "yyyy-mm-dd"
