"""The spreadsheet house style and the formula-injection guard, on a sheet
written with the helpers and read back with openpyxl."""

from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import translation
from openpyxl import load_workbook

from worker.exports.xlsx import (
    DATE,
    DATETIME,
    INTEGER,
    MONEY,
    SCORE,
    TEXT,
    Column,
    Sheet,
    new_workbook,
    sheet_title,
    warsaw_naive,
)

DANGEROUS = [
    "=1+2",
    '=HYPERLINK("http://example.org";"klik")',
    "+48 600 100 200",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+2",
    "\r=1+2",
]


def written(columns, rows, *, title="Arkusz"):
    workbook = new_workbook()
    sheet = Sheet(workbook, title, columns)
    for row in rows:
        sheet.append(row)
    sheet.close()
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return load_workbook(buffer)[sheet_title(title)]


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_dangerous_text_is_stored_as_text(text):
    ws = written([Column("Tekst")], [[text]])
    cell = ws["A2"]
    assert cell.data_type == "s"
    # XML reads a carriage return back as a line feed; either way it is text.
    assert cell.value == text.replace("\r", "\n")
    assert cell.quotePrefix
    assert not isinstance(cell.value, int | float)


@pytest.mark.parametrize("text", DANGEROUS)
def test_the_guard_holds_in_any_column(text):
    """A person's text can reach a number column by mistake; it stays text."""
    ws = written([Column("Kwota", MONEY), Column("Tekst")], [[Decimal("1.00"), text]])
    assert (ws["B2"].data_type, ws["B2"].value) == ("s", text.replace("\r", "\n"))


def test_an_error_code_is_text_not_an_error():
    ws = written([Column("Tekst")], [["#N/A"]])
    assert (ws["A2"].data_type, ws["A2"].value) == ("s", "#N/A")


def test_plain_text_is_plain():
    ws = written([Column("Tekst")], [["Ogród sąsiedzki"], ["a=b"]])
    assert (ws["A2"].value, ws["A2"].data_type, ws["A2"].quotePrefix) == (
        "Ogród sąsiedzki",
        "s",
        False,
    )
    assert ws["A3"].value == "a=b"


def test_control_characters_are_dropped():
    ws = written([Column("Tekst")], [["Zdanie\x0bz\x1bznakami\tsterującymi"]])
    assert ws["A2"].value == "Zdaniezznakami\tsterującymi"


def test_numbers_stay_numbers_even_negative():
    ws = written(
        [Column("Kwota", MONEY), Column("Punkty", SCORE), Column("Liczba", INTEGER)],
        [[Decimal("-1234.56"), Decimal("-2.50"), -3]],
    )
    assert [c.data_type for c in ws[2]] == ["n", "n", "n"]
    assert [c.value for c in ws[2]] == [-1234.56, -2.5, -3]
    assert not ws["A2"].quotePrefix


def test_money_in_a_pln_format_following_the_language():
    with translation.override("pl"):
        ws = written([Column("Kwota", MONEY)], [[Decimal("4000.00")]])
    assert ws["A2"].number_format == '#,##0.00 "zł"'
    with translation.override("en"):
        ws = written([Column("Amount", MONEY)], [[Decimal("4000.00")]])
    assert ws["A2"].number_format == '#,##0.00 "PLN"'
    assert ws["A2"].value == 4000


def test_instants_become_warsaw_wall_clock_dates():
    winter = datetime(2026, 1, 15, 22, 30, 15, 123456, tzinfo=UTC)  # 23:30 in Warsaw (CET)
    summer = datetime(2026, 7, 15, 22, 30, tzinfo=UTC)  # 00:30 the next day (CEST)
    ws = written(
        [Column("Kiedy", DATETIME), Column("Kiedy", DATETIME), Column("Dzień", DATE)],
        [[winter, summer, date(2026, 3, 1)]],
    )
    assert ws["A2"].value == datetime(2026, 1, 15, 23, 30, 15)
    assert ws["B2"].value == datetime(2026, 7, 16, 0, 30)
    assert ws["C2"].value == datetime(2026, 3, 1)
    assert (ws["A2"].number_format, ws["C2"].number_format) == ("yyyy-mm-dd hh:mm", "yyyy-mm-dd")
    assert all(c.is_date for c in ws[2])


def test_a_day_of_an_instant_is_the_warsaw_day():
    ws = written([Column("Dzień", DATE)], [[datetime(2026, 7, 15, 22, 30, tzinfo=UTC)]])
    assert ws["A2"].value == datetime(2026, 7, 16)


def test_naive_instants_are_taken_as_utc():
    assert warsaw_naive(datetime(2026, 1, 1, 12, 0)) == datetime(2026, 1, 1, 13, 0)


def test_house_style():
    ws = written(
        [Column("Numer", TEXT, 15), Column("Bardzo długi nagłówek kolumny", MONEY)],
        [["DL/2026/001", Decimal("1.00")], ["DL/2026/002", None]],
        title="Decyzje: 2026/1 [robocze]",
    )
    assert ws.title == "Decyzje  2026 1  robocze"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:B3"
    assert [c.font.b for c in ws[1]] == [True, True]
    assert ws.column_dimensions["A"].width == 15
    assert ws.column_dimensions["B"].width >= len("nagłówek") + 4
    assert ws["B3"].value is None


def test_a_row_of_the_wrong_length_is_refused():
    workbook = new_workbook()
    sheet = Sheet(workbook, "X", [Column("A"), Column("B")])
    with pytest.raises(ValueError):
        sheet.append(["only one"])
    sheet.close()
    workbook.save(BytesIO())
