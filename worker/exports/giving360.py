"""The results of a decided competition in the 360Giving Data Standard (a
data package of grants, schema 1.4), valid against the schema packaged in
`schema/360giving/`.

Identifiers, following the standard's guidance and the org-id.guide lists:

- An organisation with a Polish register number is `PL-KRS-<KRS>` (the
  National Court Register, where associations and foundations are entered),
  else `PL-REGON-<REGON>` (the statistical register, which also holds
  ordinary associations and public bodies), else `PL-NIP-<NIP>` (the tax
  number). The first one present wins; digits only.
- A group without any, an informal group above all, gets an internal
  identifier: the publisher prefix, `GROUP` and the group's id in this
  system, e.g. `360G-grantownik-dl-krakow-GROUP-42`. It is stable (the id
  never changes) and says nothing about the people in the group. An operator
  without register numbers is identified by the prefix itself.
- The publisher prefix is the one 360Giving registers for a publisher (they
  all start with `360G-`). Until an operator has its own, set
  OPEN_DATA_360G_PREFIX; the default `360G-grantownik` is an internal prefix,
  not a registered one. The operator's short name follows it, so operators
  sharing one installation never share identifiers.
- A grant is `<prefix>-<operator>-<competition id>-<application number>`,
  with the number's slashes turned into dashes (the guidance warns against
  slashes).

The "For Regrant Type" field is left out on purpose: the standard says a grant
made to a recipient for its own project must not carry a regrant code, and
every grant here is one (an operator that re-grants public money makes end
grants; the grant it received to re-grant is the upstream funder's record).
A regranting competition says so in its grant programme's description.
"""

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications.models import ApplicantGroup
from competitions.models import Competition, Operator

from .selectors import PublicResult

SCHEMA_DIR = Path(__file__).resolve().parent / "schema" / "360giving"
PACKAGE_SCHEMA = SCHEMA_DIR / "360-giving-package-schema.json"
GRANT_SCHEMA = SCHEMA_DIR / "360-giving-schema.json"
VERSION = "1.4"
DEFAULT_PREFIX = "360G-grantownik"
DIGITS = re.compile(r"\D")


def _digits(value: str) -> str:
    return DIGITS.sub("", value or "")


def publisher_prefix(operator: Operator) -> str:
    base = getattr(settings, "OPEN_DATA_360G_PREFIX", "") or DEFAULT_PREFIX
    return f"{base}-{operator.slug}"


def register_id(*, krs: str = "", regon: str = "", nip: str = "") -> str | None:
    """The org-id of a Polish organisation from its register numbers, or None."""
    for prefix, value in (("PL-KRS", krs), ("PL-REGON", regon), ("PL-NIP", nip)):
        digits = _digits(value)
        if digits:
            return f"{prefix}-{digits}"
    return None


def operator_id(operator: Operator) -> str:
    return register_id(krs=operator.krs, regon=operator.regon, nip=operator.nip) or (
        publisher_prefix(operator)
    )


def recipient_id(result: PublicResult, operator: Operator) -> str:
    found = None
    if not result.is_informal:
        found = register_id(krs=result.krs, regon=result.regon, nip=result.nip)
    return found or f"{publisher_prefix(operator)}-GROUP-{result.group_id}"


def grant_id(result: PublicResult, competition: Competition) -> str:
    number = re.sub(r"[^0-9A-Za-z]+", "-", result.number or str(result.application_id)).strip("-")
    return f"{publisher_prefix(competition.operator)}-{competition.pk}-{number}"


def _number(amount: Decimal) -> int | float:
    """A JSON number for an amount with two places. The float prints back as
    exactly the same digits: amounts here have at most ten significant ones,
    well within the fifteen a double keeps."""
    amount = amount.quantize(Decimal("0.01"))
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _months(start, end) -> int:
    """Whole months the project spans, counting a started month."""
    return max(1, (end.year - start.year) * 12 + end.month - start.month + 1)


def _iso_instant(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _organisation_type(result: PublicResult, kinds: dict[int, str]) -> str:
    return kinds.get(result.group_id, "")


def grant_record(
    result: PublicResult,
    competition: Competition,
    *,
    programme_url: str,
    data_url: str,
    organisation_type: str,
) -> dict:
    operator = competition.operator
    record = {
        "id": grant_id(result, competition),
        "title": result.title,
        "description": _("Grant for the project “%(title)s” in the competition “%(competition)s”.")
        % {"title": result.title, "competition": competition.title},
        "currency": "PLN",
        "amountAwarded": _number(result.amount_awarded),
        "amountDisbursed": _number(result.amount_disbursed),
        "awardDate": result.award_date.isoformat(),
        "recipientOrganization": [
            {
                "id": recipient_id(result, operator),
                "name": result.applicant,
                "addressCountry": "PL",
                "organisationType": organisation_type,
            }
        ],
        "fundingOrganization": [{"id": operator_id(operator), "name": operator.name}],
        "grantProgramme": [
            {
                "code": f"{publisher_prefix(operator)}-{competition.pk}",
                "title": competition.title,
                "description": str(competition.get_kind_display()),
                "url": programme_url,
            }
        ],
        "fromOpenCall": "Yes",
        "dateModified": _iso_instant(result.modified),
        "dataSource": data_url,
    }
    if result.amount_requested is not None:
        record["amountAppliedFor"] = _number(result.amount_requested)
    if result.planned_start and result.planned_end:
        record["plannedDates"] = [
            {
                "startDate": result.planned_start.isoformat(),
                "endDate": result.planned_end.isoformat(),
                "duration": _months(result.planned_start, result.planned_end),
            }
        ]
    return record


def package(
    competition: Competition,
    results: list[PublicResult],
    *,
    programme_url: str,
    data_url: str,
    language: str | None = None,
) -> dict:
    """The data package; its texts are in the site's default language, so
    the file is the same whoever downloads it."""
    operator = competition.operator
    kinds = dict(
        ApplicantGroup.objects.filter(pk__in={r.group_id for r in results}).values_list(
            "pk", "kind"
        )
    )
    with translation.override(language or settings.LANGUAGE_CODE):
        labels = {pk: str(ApplicantGroup.Kind(kind).label) for pk, kind in kinds.items()}
        data = {
            "version": VERSION,
            "title": _("Results of the competition “%(competition)s”")
            % {"competition": competition.title},
            "description": _(
                "Grants awarded in the competition “%(competition)s” run by %(operator)s."
            )
            % {"competition": competition.title, "operator": operator.name},
            "identifier": f"{publisher_prefix(operator)}-{competition.pk}",
            "issued": timezone.localdate().isoformat(),
            "modified": _iso_instant(timezone.now()),
            "publisher": {"name": operator.name, "identifier": operator_id(operator)},
            "downloadURL": data_url,
            "accessURL": programme_url,
            "grants": [
                grant_record(
                    result,
                    competition,
                    programme_url=programme_url,
                    data_url=data_url,
                    organisation_type=labels.get(result.group_id, ""),
                )
                for result in results
            ],
        }
    license_url = getattr(settings, "OPEN_DATA_LICENSE_URL", "")
    if license_url:
        data["license"] = license_url
    return data


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


# Validation against the packaged schema, offline.

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _is_date_time(value) -> bool:
    if not isinstance(value, str) or not RFC3339.match(value):
        return not isinstance(value, str)
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.path))


@cache
def validator():
    """A JSON Schema validator of a whole package. The package schema refers
    to the grant schema by URL; both that URL and the grant schema's own `$id`
    resolve to the local file. Formats are checked (the schema tells a date
    from a date-time only by them), with checkers of our own so the result
    does not depend on which optional packages happen to be installed."""
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    package_schema = json.loads(PACKAGE_SCHEMA.read_text(encoding="utf-8"))
    grant_schema = json.loads(GRANT_SCHEMA.read_text(encoding="utf-8"))
    # The files name their dialect "http://json-schema.org/draft/2020-12/schema",
    # not the canonical https address; say which one it is.
    grant = DRAFT202012.create_resource(grant_schema)
    registry = Registry().with_resources(
        [
            (grant_schema["$id"], grant),
            (package_schema["properties"]["grants"]["items"]["$ref"], grant),
        ]
    )
    checker = FormatChecker(formats=())
    checker.checks("date-time")(_is_date_time)
    checker.checks("uri")(_is_uri)
    return Draft202012Validator(package_schema, registry=registry, format_checker=checker)


def validation_errors(data: dict) -> list[str]:
    """Every way `data` breaks the schema, readable; empty when it is valid."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in validator().iter_errors(data)
    ]
