"""Grants, their agreed budgets, tranches, reports and settlement.

A grant is created from an awarded application and from then on lives its own
life: the application keeps what was submitted (its snapshots stay intact),
while the grant holds what was agreed in the contract (amount, dates, budget,
tranches) and what happened after (payments, reports, refund).
"""

from .grants import WARSAW, ZERO, CompetitionPayoutSettings, Grant, GrantBudgetLine
from .payments import Payment
from .reports import (
    Report,
    ReportAttachment,
    ReportLine,
    ReportResult,
    report_attachment_path,
)

__all__ = [
    "WARSAW",
    "ZERO",
    "CompetitionPayoutSettings",
    "Grant",
    "GrantBudgetLine",
    "Payment",
    "Report",
    "ReportAttachment",
    "ReportLine",
    "ReportResult",
    "report_attachment_path",
]
