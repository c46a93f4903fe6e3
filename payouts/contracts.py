"""The grant contract as a document the office can print, sign and edit.

The text comes from a Django template, so an operator can replace it without
touching code: a template named `payouts/contract/<operator slug>.html` (in
the project's `templates/` folder) wins over the shipped
`payouts/contract/default.html`. The template is written in a small subset of
HTML (headings, paragraphs, lists, tables, bold and italic) that prints as it
is from a browser and is also converted into a Word document (DOCX).

The conversion to DOCX lives in `payouts.docx`.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.template.loader import select_template
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext
from stdnum import iban

from applications.rules import budget_totals

from .docx import DOCX_MIME, html_to_docx
from .models import Grant

# The data every contract template gets.


def _amount(value: Decimal | None) -> str:
    if value is None:
        return ""
    return formats.number_format(value, 2, use_l10n=True, force_grouping=True)


def _day(value: date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def _account(value: str) -> str:
    try:
        return iban.format(value) if value else ""
    except ValueError:
        return value


def contract_context(grant: Grant) -> dict:
    """Parties, amounts (as figures formatted for the active language), dates,
    budget and tranches of one grant. Amount fields come formatted and raw
    (`*_value`), so a replaced template can format them its own way."""
    competition = grant.competition
    operator = competition.operator
    group = grant.group
    lines = list(grant.budget_lines.all())
    totals = budget_totals(lines)
    tranches = list(grant.payments.all())
    return {
        "grant": grant,
        "contract_number": grant.contract_number,
        "competition": competition,
        "application_number": grant.application.number,
        "project_title": grant.application.title,
        "operator": {
            "name": operator.name,
            "address": operator.address,
            "nip": operator.nip,
            "regon": operator.regon,
            "krs": operator.krs,
            "signatory": grant.operator_signatory,
        },
        "grantee": {
            "name": group.name,
            "kind": group.get_kind_display(),
            "address": ", ".join(
                part
                for part in (group.address, f"{group.postal_code} {group.city}".strip())
                if part
            ),
            "krs": group.krs,
            "nip": group.nip,
            "regon": group.regon,
            "patron_name": group.patron_name,
            "patron_krs": group.patron_krs,
            "signatories": grant.grantee_signatories,
            "bank_account": _account(grant.bank_account),
        },
        "amount_awarded": _amount(grant.amount_awarded),
        "amount_awarded_value": grant.amount_awarded,
        "amount_requested": _amount(grant.amount_requested),
        "is_reduced": grant.is_reduced,
        "signed_on": _day(grant.signed_on),
        "prepared_on": _day(timezone.localdate(grant.contract_prepared_at))
        if grant.contract_prepared_at
        else "",
        "project_start": _day(grant.project_start),
        "project_end": _day(grant.project_end),
        "final_report_due": _day(grant.final_report_due),
        "refund_due": _day(grant.refund_due),
        "refund_days": competition.refund_days,
        "final_report_days": competition.final_report_days,
        "shift_pct": formats.number_format(grant.shift_pct.normalize(), use_l10n=True),
        "partial_report_required": grant.partial_report_required,
        "budget_lines": [
            {
                "number": index,
                "name": line.name,
                "category": line.get_category_display(),
                "quantity": formats.number_format(line.quantity.normalize(), use_l10n=True),
                "unit": line.unit,
                "unit_cost": _amount(line.unit_cost),
                "total": _amount(line.total),
                "grant_amount": _amount(line.grant_amount),
                "own_financial": _amount(line.own_financial),
                "own_non_financial": _amount(line.own_non_financial),
            }
            for index, line in enumerate(lines, start=1)
        ],
        "budget_totals": {
            key: _amount(value) if not key.endswith("_pct") else value
            for key, value in totals.items()
        },
        "tranches": [
            {"order": t.order, "amount": _amount(t.amount), "due_date": _day(t.due_date)}
            for t in tranches
        ],
    }


def contract_template_names(grant: Grant) -> list[str]:
    return [
        f"payouts/contract/{grant.competition.operator.slug}.html",
        "payouts/contract/default.html",
    ]


def render_contract_html(grant: Grant, *, language: str | None = None) -> str:
    """The contract as a printable HTML page, in Polish unless told otherwise."""
    with translation.override(language or settings.LANGUAGE_CODE):
        template = select_template(contract_template_names(grant))
        return template.render(contract_context(grant))


def render_contract_docx(grant: Grant, *, language: str | None = None) -> bytes:
    """The same contract as a Word document."""
    html = render_contract_html(grant, language=language)
    return html_to_docx(html, title=grant.contract_number)


def contract_filename(grant: Grant, extension: str = "docx") -> str:
    """A download name like contract-DL-2026-007.docx, in the active language."""
    number = "".join(ch if ch.isalnum() else "-" for ch in grant.contract_number).strip("-")
    return f"{slugify(gettext('contract'))}-{number or grant.pk}.{extension}"


__all__ = [
    "DOCX_MIME",
    "contract_context",
    "contract_filename",
    "contract_template_names",
    "html_to_docx",
    "render_contract_docx",
    "render_contract_html",
]
