"""The four spreadsheets an official downloads from a competition: the
decisions list, the scoring matrix for the minutes, the formal check, and the
grants and payments register.

Each reads through its selector (which checks the user and runs a fixed
number of queries) and streams rows into a write-only workbook. Headers and
sheet names are translated: build inside `translation.override` of the
reader's language, as `build_xlsx` does.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import pgettext, pgettext_lazy
from openpyxl import Workbook

from applications.models import Application
from competitions.models import Competition
from reviews.funding import Outcome
from reviews.models import Review
from reviews.results import REVIEWED

from . import selectors
from .xlsx import (
    DATE,
    DATETIME,
    INTEGER,
    MONEY,
    SCORE,
    TEXT,
    Column,
    Sheet,
    new_workbook,
    yes_no,
)

ProgressFn = Callable[[int, int], None]
# How often a long export reports how far it got.
PROGRESS_EVERY = 250


class Progress:
    """Counts rows written and reports every PROGRESS_EVERY of them, and at the end."""

    def __init__(self, total: int, report: ProgressFn | None):
        self.total = max(total, 1)
        self.done = 0
        self.report = report

    def step(self) -> None:
        self.done += 1
        if self.report and self.done % PROGRESS_EVERY == 0:
            self.report(self.done, self.total)

    def finish(self) -> None:
        if self.report:
            self.report(self.total, self.total)


def _criterion_header(criterion) -> str:
    return pgettext("spreadsheet", "%(criterion)s (max %(points)s)") % {
        "criterion": criterion.name,
        "points": f"{criterion.max_points.normalize():f}",
    }


def _proposal_label(outcome: str | None) -> str:
    return {
        Outcome.FUNDED: pgettext("spreadsheet", "funded"),
        Outcome.PARTIAL: pgettext("spreadsheet", "funded partially"),
        Outcome.RESERVE: pgettext("spreadsheet", "reserve list"),
        Outcome.REJECTED: pgettext("spreadsheet", "not funded"),
    }.get(outcome, "")


def _finding_label(passed: bool | None) -> str:
    if passed is None:
        return pgettext("spreadsheet", "not checked")
    return pgettext("spreadsheet", "met") if passed else pgettext("spreadsheet", "not met")


# The decisions list.


def write_decisions(workbook: Workbook, user, competition: Competition, progress) -> None:
    sheet_data = selectors.decisions_list(user, competition)
    results = sheet_data.results
    columns = [
        Column(pgettext("spreadsheet", "Rank"), INTEGER, 8),
        Column(pgettext("spreadsheet", "Number"), TEXT, 15),
        Column(pgettext("spreadsheet", "Applicant"), TEXT, 34),
        Column(pgettext("spreadsheet", "Project title"), TEXT, 44),
        Column(pgettext("spreadsheet", "Requested"), MONEY),
        Column(pgettext("spreadsheet", "Recommended"), MONEY),
        Column(pgettext("spreadsheet", "Awarded"), MONEY),
        Column(pgettext("spreadsheet", "Mean score"), SCORE),
        Column(pgettext("spreadsheet", "Normalised score"), SCORE),
        *(Column(_criterion_header(c), SCORE, 16) for c in results.criteria),
        Column(pgettext("spreadsheet", "Reviews"), INTEGER),
        Column(pgettext("spreadsheet", "Threshold (points)"), SCORE),
        Column(pgettext("spreadsheet", "Above the threshold"), TEXT, 12),
        Column(pgettext("spreadsheet", "Funding line"), TEXT, 16),
        Column(pgettext("spreadsheet", "Decision"), TEXT, 16),
        Column(pgettext("spreadsheet", "Reason"), TEXT, 50),
        Column(pgettext("spreadsheet", "Decided at"), DATETIME),
        Column(pgettext("spreadsheet", "Submitted at"), DATETIME),
    ]
    sheet = Sheet(workbook, pgettext("spreadsheet", "Decisions"), columns)
    counter = Progress(len(sheet_data.rows), progress)
    for row in sheet_data.rows:
        result, decision = row.result, row.decision
        awarded = decision.amount if decision is not None else None
        sheet.append(
            [
                result.rank,
                result.number,
                result.applicant,
                result.title,
                result.amount_requested,
                row.recommendation.amount if row.recommendation is not None else None,
                awarded,
                result.mean,
                result.normalised,
                *(c.mean for c in result.criteria),
                result.reviews,
                results.threshold,
                yes_no(result.passes_threshold),
                _proposal_label(row.proposal.outcome if row.proposal else None),
                str(decision.get_outcome_display()) if decision is not None else "",
                decision.reason if decision is not None else "",
                decision.decided_at if decision is not None else None,
                result.submitted_at,
            ]
        )
        counter.step()
    sheet.close()
    counter.finish()


# The scoring matrix.


def write_scoring_matrix(workbook: Workbook, user, competition: Competition, progress) -> None:
    matrix = selectors.scoring_matrix(user, competition)
    counter = Progress(len(matrix.rows) + len(matrix.comments), progress)
    sheet = Sheet(
        workbook,
        pgettext("spreadsheet", "Scoring matrix"),
        [
            Column(pgettext("spreadsheet", "Number"), TEXT, 15),
            Column(pgettext("spreadsheet", "Applicant"), TEXT, 30),
            Column(pgettext("spreadsheet", "Project title"), TEXT, 36),
            Column(pgettext("spreadsheet", "Commission member"), TEXT, 26),
            Column(pgettext("spreadsheet", "Capacity"), TEXT, 24),
            Column(pgettext("spreadsheet", "Chair"), TEXT, 8),
            Column(pgettext("spreadsheet", "Review"), TEXT, 18),
            Column(pgettext("spreadsheet", "Conflict of interest"), TEXT, 36),
            *(Column(_criterion_header(c), SCORE, 16) for c in matrix.criteria),
            Column(pgettext("spreadsheet", "Total"), SCORE),
            Column(pgettext("spreadsheet", "Overall comment"), TEXT, 50),
            Column(pgettext("spreadsheet", "Submitted at"), DATETIME),
        ],
    )
    for row in matrix.rows:
        sheet.append(
            [
                row.number,
                row.applicant,
                row.title,
                row.member,
                row.capacity,
                yes_no(row.is_chair),
                row.status_label,
                row.conflict_ground,
                *row.points,
                row.total,
                row.comment,
                row.submitted_at,
            ]
        )
        counter.step()
    sheet.close()
    comments = Sheet(
        workbook,
        pgettext("spreadsheet", "Comments"),
        [
            Column(pgettext("spreadsheet", "Number"), TEXT, 15),
            Column(pgettext("spreadsheet", "Commission member"), TEXT, 26),
            Column(pgettext("spreadsheet", "Criterion"), TEXT, 30),
            Column(pgettext("spreadsheet", "Maximum"), SCORE),
            Column(pgettext("spreadsheet", "Points"), SCORE),
            Column(pgettext("spreadsheet", "Comment"), TEXT, 70),
        ],
    )
    for comment in matrix.comments:
        comments.append(
            [
                comment.number,
                comment.member,
                comment.criterion,
                comment.max_points,
                comment.points,
                comment.comment,
            ]
        )
        counter.step()
    comments.close()
    counter.finish()


# The formal check.


def write_formal(workbook: Workbook, user, competition: Competition, progress) -> None:
    formal = selectors.formal_results(user, competition)
    counter = Progress(len(formal.rows) + len(formal.findings), progress)
    sheet = Sheet(
        workbook,
        pgettext("spreadsheet", "Formal check"),
        [
            Column(pgettext("spreadsheet", "Number"), TEXT, 15),
            Column(pgettext("spreadsheet", "Applicant"), TEXT, 30),
            Column(pgettext("spreadsheet", "Project title"), TEXT, 36),
            Column(pgettext("spreadsheet", "Application status"), TEXT, 20),
            Column(pgettext("spreadsheet", "Submitted at"), DATETIME),
            Column(pgettext("spreadsheet", "Last submitted at"), DATETIME),
            Column(pgettext("spreadsheet", "Rounds"), INTEGER),
            Column(pgettext("spreadsheet", "Outcome"), TEXT, 22),
            *(Column(item.text, TEXT, 16) for item in formal.items),
            Column(pgettext("spreadsheet", "Comment for the applicant"), TEXT, 50),
            Column(pgettext("spreadsheet", "Checked by"), TEXT, 24),
            Column(pgettext("spreadsheet", "Concluded at"), DATETIME),
            Column(pgettext("spreadsheet", "Correction deadline"), DATETIME),
        ],
    )
    for row in formal.rows:
        sheet.append(
            [
                row.number,
                row.applicant,
                row.title,
                row.status_label,
                row.submitted_at,
                row.last_submitted_at,
                row.rounds,
                row.outcome_label,
                *(_finding_label(passed) if row.rounds else "" for passed in row.findings),
                row.comment,
                row.checked_by,
                row.concluded_at,
                row.correction_deadline,
            ]
        )
        counter.step()
    sheet.close()
    findings = Sheet(
        workbook,
        pgettext("spreadsheet", "Findings"),
        [
            Column(pgettext("spreadsheet", "Number"), TEXT, 15),
            Column(pgettext("spreadsheet", "Round"), INTEGER),
            Column(pgettext("spreadsheet", "Requirement"), TEXT, 44),
            Column(pgettext("spreadsheet", "May be corrected"), TEXT, 12),
            Column(pgettext("spreadsheet", "Finding"), TEXT, 14),
            Column(pgettext("spreadsheet", "Comment"), TEXT, 50),
            Column(pgettext("spreadsheet", "Checked at"), DATETIME),
        ],
    )
    for finding in formal.findings:
        findings.append(
            [
                finding.number,
                finding.round,
                finding.item,
                yes_no(finding.correctable),
                _finding_label(finding.passed),
                finding.comment,
                finding.checked_at,
            ]
        )
        counter.step()
    findings.close()
    counter.finish()


# The grants and payments register.


def write_grants(workbook: Workbook, user, competition: Competition, progress) -> None:
    register = selectors.grants_register(user, competition)
    counter = Progress(len(register.rows) + len(register.tranches), progress)
    sheet = Sheet(
        workbook,
        pgettext("spreadsheet", "Grants"),
        [
            Column(pgettext("spreadsheet", "Contract"), TEXT, 16),
            Column(pgettext("spreadsheet", "Number"), TEXT, 15),
            Column(pgettext("spreadsheet", "Grantee"), TEXT, 30),
            Column(pgettext("spreadsheet", "Project title"), TEXT, 36),
            Column(pgettext("spreadsheet", "Status"), TEXT, 20),
            Column(pgettext("spreadsheet", "Requested"), MONEY),
            Column(pgettext("spreadsheet", "Awarded"), MONEY),
            Column(pgettext("spreadsheet", "Signed on"), DATE),
            Column(pgettext("spreadsheet", "Project start"), DATE),
            Column(pgettext("spreadsheet", "Project end"), DATE),
            Column(pgettext("spreadsheet", "Tranches"), INTEGER),
            Column(pgettext("spreadsheet", "Scheduled"), MONEY),
            Column(pgettext("spreadsheet", "Paid"), MONEY),
            Column(pgettext("spreadsheet", "Last payment"), DATE),
            Column(pgettext("spreadsheet", "Reported grant spending"), MONEY),
            Column(pgettext("spreadsheet", "Final report"), TEXT, 16),
            Column(pgettext("spreadsheet", "Final report due"), DATE),
            Column(pgettext("spreadsheet", "Eligible spending"), MONEY),
            Column(pgettext("spreadsheet", "Refund due"), MONEY),
            Column(pgettext("spreadsheet", "Refunded"), MONEY),
            Column(pgettext("spreadsheet", "Refund outstanding"), MONEY),
            Column(pgettext("spreadsheet", "Refund due by"), DATE),
        ],
    )
    for row in register.rows:
        sheet.append(
            [
                row.contract_number,
                row.number,
                row.grantee,
                row.title,
                row.status_label,
                row.requested,
                row.awarded,
                row.signed_on,
                row.project_start,
                row.project_end,
                row.tranches,
                row.scheduled,
                row.paid,
                row.last_paid_on,
                row.reported,
                row.final_report_label,
                row.final_report_due,
                row.eligible,
                row.refund,
                row.refunded,
                row.refund_outstanding,
                row.refund_due,
            ]
        )
        counter.step()
    sheet.close()
    tranches = Sheet(
        workbook,
        pgettext("spreadsheet", "Tranches"),
        [
            Column(pgettext("spreadsheet", "Contract"), TEXT, 16),
            Column(pgettext("spreadsheet", "Grantee"), TEXT, 30),
            Column(pgettext("spreadsheet", "Tranche"), INTEGER),
            Column(pgettext("spreadsheet", "Amount"), MONEY),
            Column(pgettext("spreadsheet", "Due date"), DATE),
            Column(pgettext("spreadsheet", "Status"), TEXT, 20),
            Column(pgettext("spreadsheet", "Approved at"), DATETIME),
            Column(pgettext("spreadsheet", "Amount paid"), MONEY),
            Column(pgettext("spreadsheet", "Paid on"), DATE),
            Column(pgettext("spreadsheet", "Bank transfer reference"), TEXT, 24),
        ],
    )
    for tranche in register.tranches:
        tranches.append(
            [
                tranche.contract_number,
                tranche.grantee,
                tranche.order,
                tranche.amount,
                tranche.due_date,
                tranche.status_label,
                tranche.approved_at,
                tranche.amount_paid,
                tranche.paid_on,
                tranche.bank_reference,
            ]
        )
        counter.step()
    tranches.close()
    counter.finish()


# The registry the views, the API and the task share.


def _reviewed_count(competition: Competition) -> int:
    return Application.objects.filter(competition=competition, status__in=REVIEWED).count()


def _matrix_size(competition: Competition) -> int:
    """A row per review and one per score."""
    reviews = Review.objects.filter(
        application__competition=competition, application__status__in=REVIEWED
    ).count()
    return reviews * (1 + competition.criteria.count())


def _submitted_count(competition: Competition) -> int:
    return Application.objects.filter(competition=competition, sequence__isnull=False).count()


def _grant_count(competition: Competition) -> int:
    return competition.grants.count()


@dataclass(frozen=True)
class XlsxExport:
    kind: str
    label: str  # lazy
    stem: str  # lazy: the file name's first part
    write: Callable[[Workbook, object, Competition, ProgressFn | None], None]
    # Rows the export will have, about: decides whether it is built at once
    # or as a background job.
    size: Callable[[Competition], int]


DECISIONS = "decisions"
SCORING_MATRIX = "scoring_matrix"
FORMAL = "formal"
GRANTS = "grants"

EXPORTS: dict[str, XlsxExport] = {
    export.kind: export
    for export in (
        XlsxExport(
            DECISIONS,
            pgettext_lazy("spreadsheet", "Decisions list"),
            pgettext_lazy("file name", "decisions"),
            write_decisions,
            _reviewed_count,
        ),
        XlsxExport(
            SCORING_MATRIX,
            pgettext_lazy("spreadsheet", "Scoring matrix"),
            pgettext_lazy("file name", "scoring-matrix"),
            write_scoring_matrix,
            _matrix_size,
        ),
        XlsxExport(
            FORMAL,
            pgettext_lazy("spreadsheet", "Formal check results"),
            pgettext_lazy("file name", "formal-check"),
            write_formal,
            _submitted_count,
        ),
        XlsxExport(
            GRANTS,
            pgettext_lazy("spreadsheet", "Grants and payments register"),
            pgettext_lazy("file name", "grants"),
            write_grants,
            _grant_count,
        ),
    )
}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_filename(kind: str, competition: Competition, extension: str = "xlsx") -> str:
    """E.g. decyzje-dl-2026-12.xlsx; call inside the reader's language."""
    stem = slugify(
        f"{EXPORTS[kind].stem}-{competition.number_prefix}-{competition.year}-{competition.pk}"
    )
    return f"{stem}.{extension}"


def build_xlsx(
    kind: str,
    *,
    user,
    competition: Competition,
    target: str | IO[bytes],
    language: str | None = None,
    progress: ProgressFn | None = None,
) -> str:
    """Write the export into `target` (a path or a binary file) in the
    user's language and return the file name to offer it under. Raises
    Http404 when the user may not have it and WrongState when it is not
    ready (scores before scoring closes)."""
    export = EXPORTS[kind]
    with translation.override(language or getattr(user, "language", None) or "pl"):
        workbook = new_workbook()
        export.write(workbook, user, competition, progress)
        workbook.save(target)
        return export_filename(kind, competition)
