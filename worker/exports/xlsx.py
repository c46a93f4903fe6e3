"""Spreadsheets written in openpyxl's write-only mode: rows go to disk as
they come, so a workbook of ten thousand applications never sits whole in
memory.

Every sheet follows one house style: a bold header row that stays in view
(frozen) with an autofilter over the data, widths fixed per column (a
streamed sheet cannot measure its content, so each column says how wide it
should be), money as numbers in a PLN format with two places, and instants as
real dates in Warsaw time, because Excel has no time zones.

No text a person typed is ever evaluated as a formula: see `text_cell`.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

WARSAW = ZoneInfo("Europe/Warsaw")

# A spreadsheet treats a cell typed with one of these first characters as a
# formula (`=`, and in many programs `+`, `-` and `@` too); a leading tab or
# carriage return hides such a character from a naive check in the importing
# program. A text beginning with any of them is stored as a string and marked
# with the quote prefix, the file-format equivalent of a typed apostrophe.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Excel keeps at most this many characters in a cell.
CELL_MAX = 32767

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
SCORE_FORMAT = "0.00"

TEXT = "text"
MONEY = "money"
SCORE = "score"
INTEGER = "integer"
DATE = "date"
DATETIME = "datetime"

DEFAULT_WIDTHS = {
    TEXT: 24,
    MONEY: 15,
    SCORE: 11,
    INTEGER: 9,
    DATE: 12,
    DATETIME: 17,
}
SHEET_TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def money_format() -> str:
    """Two places with the currency after the amount, as Polish readers
    expect; the grouping and decimal marks follow the reader's own locale."""
    if (translation.get_language() or "pl").startswith("pl"):
        return '#,##0.00 "zł"'
    return '#,##0.00 "PLN"'


def is_dangerous(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES) or text in ERROR_CODES


def clean_text(text: str) -> str:
    """What a worksheet can hold: no control characters, not too long."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:CELL_MAX]


def warsaw_naive(moment: datetime) -> datetime:
    """An instant as a Warsaw wall clock shows it, without a zone (Excel
    cannot store one). A naive value is taken to be UTC, as the database
    stores instants."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(WARSAW).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: float | None = None

    @property
    def shown_width(self) -> float:
        if self.width is not None:
            return self.width
        # Never narrower than the header's longest word plus room for the
        # autofilter's button.
        longest = max((len(word) for word in self.header.split()), default=0)
        return max(DEFAULT_WIDTHS[self.kind], longest + 4)


class Sheet:
    """One worksheet being streamed: create, `append` rows, `close`."""

    def __init__(self, workbook: Workbook, title: str, columns: Sequence[Column]):
        self.ws: WriteOnlyWorksheet = workbook.create_sheet(title=sheet_title(title))
        self.columns = tuple(columns)
        self.rows = 0
        self._money = money_format()
        # Widths and the frozen pane belong to the top of the sheet's XML and
        # must be set before the first row is written.
        for index, column in enumerate(self.columns, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.shown_width
        self.ws.freeze_panes = "A2"
        bold = Font(bold=True)
        wrap = Alignment(wrap_text=True, vertical="top")
        header = []
        for column in self.columns:
            cell = self.text_cell(column.header)
            cell.font = bold
            cell.alignment = wrap
            header.append(cell)
        self.ws.append(header)

    # Cells.

    def text_cell(self, text: str) -> WriteOnlyCell:
        text = clean_text(text)
        cell = WriteOnlyCell(self.ws, value=text)
        # openpyxl guesses a type from the text: a leading "=" makes a
        # formula, "#N/A" an error value. Neither is what the person typed.
        cell.data_type = "s"
        if is_dangerous(text):
            cell.quotePrefix = True
        return cell

    def _formatted(self, value, number_format: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = number_format
        return cell

    def cell(self, kind: str, value: Any):
        if value is None or value == "":
            return None
        if kind == TEXT or isinstance(value, str):
            text = str(value)
            # Only what could be misread needs a cell of its own; the rest is
            # a plain value, which openpyxl writes as a string anyway.
            if is_dangerous(text) or ILLEGAL_CHARACTERS_RE.search(text) or len(text) > CELL_MAX:
                return self.text_cell(text)
            return text
        if kind == MONEY:
            return self._formatted(Decimal(value), self._money)
        if kind == SCORE:
            return self._formatted(Decimal(value), SCORE_FORMAT)
        if kind == INTEGER:
            return int(value)
        if kind == DATETIME:
            if isinstance(value, datetime):
                return self._formatted(warsaw_naive(value), DATETIME_FORMAT)
            return self._formatted(datetime(value.year, value.month, value.day), DATE_FORMAT)
        if kind == DATE:
            if isinstance(value, datetime):
                value = warsaw_naive(value).date()
            if isinstance(value, date):
                return self._formatted(value, DATE_FORMAT)
        raise TypeError(f"Cannot write {value!r} as {kind}")

    # Rows.

    def append(self, values: Iterable[Any]) -> None:
        values = list(values)
        if len(values) != len(self.columns):
            raise ValueError(f"{len(values)} values for {len(self.columns)} columns")
        self.ws.append(
            [
                self.cell(column.kind, value)
                for column, value in zip(self.columns, values, strict=True)
            ]
        )
        self.rows += 1

    def close(self) -> None:
        """The autofilter spans the header and every row written; the sheet
        itself is finished when the workbook is saved."""
        last_column = get_column_letter(len(self.columns))
        self.ws.auto_filter.ref = f"A1:{last_column}{self.rows + 1}"


def sheet_title(title: str) -> str:
    """A name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return title.translate(SHEET_TITLE_FORBIDDEN).strip()[:31] or "Sheet"


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return pgettext("spreadsheet", "yes") if value else pgettext("spreadsheet", "no")
