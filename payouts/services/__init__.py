"""Every write to grants, tranches, reports and refunds goes through these
functions: keyword-only, one transaction each, permission and state checked,
audited, mail sent on commit. `actor=None` is the system (decisions, scheduled
jobs) and is accepted only where the signature says so."""

from .budget import (
    budget_problems,
    grant_budget_update,
    grant_decline,
    grant_decline_lapsed,
    grant_line_approve_over,
)
from .closing import grant_close, grant_refund_record, grant_settle
from .contract import (
    grant_contract_prepare,
    grant_sign,
    grant_start,
    grant_start_reporting,
    grant_terminate,
    signing_problems,
)
from .creation import grant_create, grants_create_for_competition, payout_settings_update
from .payments import payment_approve, payment_pay, payment_withdraw, tranche_problems
from .reports import (
    report_accept,
    report_attachment_add,
    report_attachment_delete,
    report_final_open,
    report_request,
    report_return,
    report_save,
    report_submit,
)

__all__ = [
    "budget_problems",
    "grant_budget_update",
    "grant_close",
    "grant_contract_prepare",
    "grant_create",
    "grant_decline",
    "grant_decline_lapsed",
    "grant_line_approve_over",
    "grant_refund_record",
    "grant_settle",
    "grant_sign",
    "grant_start",
    "grant_start_reporting",
    "grant_terminate",
    "grants_create_for_competition",
    "payment_approve",
    "payment_pay",
    "payment_withdraw",
    "payout_settings_update",
    "report_accept",
    "report_attachment_add",
    "report_attachment_delete",
    "report_final_open",
    "report_request",
    "report_return",
    "report_save",
    "report_submit",
    "signing_problems",
    "tranche_problems",
]
