"""The public results of a decided competition as open data: CSV and JSON.

Column and key names are fixed English identifiers, never translated, so a
program that reads the file today still reads it after someone switches the
site's language. Amounts are decimal strings with two places and a dot
("4000.00"), dates ISO 8601: what a spreadsheet and a program read the same
way. An informal group is published by its name alone; an organisation with
its public register numbers.
"""

import csv
from collections.abc import Iterable
from decimal import Decimal
from io import StringIO

from competitions.models import Competition

from .selectors import PublicResult

CSV_FIELDS = (
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
)
# A spreadsheet opening a CSV evaluates a cell starting with one of these as a
# formula; the conventional defence is a leading apostrophe, which spreadsheets
# show as text and do not evaluate.
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(CSV_FORMULA_PREFIXES):
        return "'" + text
    return text


def amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(Decimal('0.01')):f}"


def _identifiers(*, krs: str, nip: str, regon: str) -> dict:
    return {key: value for key, value in (("krs", krs), ("nip", nip), ("regon", regon)) if value}


def applicant_record(result: PublicResult) -> dict:
    if result.is_informal:
        return {"name": result.applicant}
    return {
        "name": result.applicant,
        **_identifiers(krs=result.krs, nip=result.nip, regon=result.regon),
    }


def competition_record(competition: Competition) -> dict:
    operator = competition.operator
    return {
        "id": competition.pk,
        "title": competition.title,
        "kind": competition.kind,
        "year": competition.year,
        "status": competition.status,
        "operator": {
            "name": operator.name,
            **_identifiers(krs=operator.krs, nip=operator.nip, regon=operator.regon),
        },
    }


def result_record(result: PublicResult) -> dict:
    return {
        "number": result.number,
        "applicant": applicant_record(result),
        "title": result.title,
        "amount_awarded": amount(result.amount_awarded),
        "currency": "PLN",
        "award_date": result.award_date.isoformat(),
    }


def results_document(competition: Competition, results: Iterable[PublicResult]) -> dict:
    results = list(results)
    return {
        "competition": competition_record(competition),
        "currency": "PLN",
        "total_awarded": amount(sum((r.amount_awarded for r in results), Decimal("0.00"))),
        "results": [result_record(r) for r in results],
    }


def results_csv(competition: Competition, results: Iterable[PublicResult]) -> str:
    buffer = StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for result in results:
        writer.writerow(
            [
                competition.pk,
                csv_safe(competition.title),
                csv_safe(competition.operator.name),
                csv_safe(result.number),
                csv_safe(result.applicant),
                result.krs,
                result.nip,
                result.regon,
                csv_safe(result.title),
                amount(result.amount_awarded),
                "PLN",
                result.award_date.isoformat(),
            ]
        )
    return buffer.getvalue()
