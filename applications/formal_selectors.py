"""Reads of the formal check, scoped to the user: the official's working view
of a check, the applicant's list of what to fix, and what changed between two
submitted versions."""

import difflib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from competitions.models import ChecklistItem
from core.roles import roles_for

from .models import Application, ApplicationSnapshot, FormalCheck, FormalCheckResult
from .selectors import applications_visible_to


@dataclass(frozen=True)
class Finding:
    item: ChecklistItem
    passed: bool | None
    comment: str


@dataclass(frozen=True)
class FormalCheckView:
    """What the official works with: the current round's findings on every
    checklist item (unchecked ones included), earlier rounds, and what changed
    since the previous submitted version."""

    application: Application
    current: FormalCheck | None
    findings: list[Finding]
    rounds: list[FormalCheck]
    changes: list["Change"]


@dataclass(frozen=True)
class ApplicantFindings:
    """What the applicant must fix, or why the application was rejected."""

    outcome: str
    comment: str
    correction_deadline: datetime | None
    failed: list[Finding]


def _rounds_prefetch() -> Prefetch:
    return Prefetch(
        "formal_checks",
        queryset=FormalCheck.objects.order_by("round").prefetch_related(
            Prefetch("results", queryset=FormalCheckResult.objects.select_related("item"))
        ),
    )


def formal_check_for_official(user, pk) -> FormalCheckView:
    """Officials of the competition's operator only; anyone else gets 404."""
    application = get_object_or_404(
        applications_visible_to(user)
        .filter(competition__operator_id__in=roles_for(user).operator_ids)
        .prefetch_related(
            "competition__checklist_items",
            _rounds_prefetch(),
            Prefetch("snapshots", queryset=ApplicationSnapshot.objects.order_by("version")),
        ),
        pk=pk,
    )
    rounds = list(application.formal_checks.all())
    current = rounds[-1] if rounds else None
    by_item = {r.item_id: r for r in current.results.all()} if current else {}
    findings = [
        Finding(
            item=item,
            passed=by_item[item.pk].passed if item.pk in by_item else None,
            comment=by_item[item.pk].comment if item.pk in by_item else "",
        )
        for item in application.competition.checklist_items.all()
    ]
    snapshots = list(application.snapshots.all())
    changes = diff_snapshots(snapshots[-2].data, snapshots[-1].data) if len(snapshots) > 1 else []
    return FormalCheckView(
        application=application,
        current=current,
        findings=findings,
        rounds=rounds,
        changes=changes,
    )


def formal_findings(user, pk) -> ApplicantFindings | None:
    """For the applying group (and officials): the failed items with comments
    from the last concluded correction request or rejection. A round still in
    progress is the official's draft and stays invisible."""
    application = get_object_or_404(
        applications_visible_to(user).prefetch_related(_rounds_prefetch()), pk=pk
    )
    concluded = [
        c
        for c in application.formal_checks.all()
        if c.outcome in (FormalCheck.Outcome.CORRECTION_REQUESTED, FormalCheck.Outcome.REJECTED)
    ]
    if not concluded:
        return None
    check = concluded[-1]
    failed = [
        Finding(item=r.item, passed=False, comment=r.comment)
        for r in check.results.all()
        if r.passed is False
    ]
    return ApplicantFindings(
        outcome=check.outcome,
        comment=check.comment,
        correction_deadline=application.correction_deadline
        if check.outcome == FormalCheck.Outcome.CORRECTION_REQUESTED
        else None,
        failed=failed,
    )


# What changed between two submitted versions.

# Lists of records in a snapshot and the key that identifies a record across
# versions; lists without a stable id are compared by position.
_KEYED_LISTS = {"budget_lines": "id", "attachments": "id", "answers": "question_id"}
# Never differ between versions of one application, or are derived from others.
_SKIPPED = {"number", "competition"}
_LONG_TEXT = 200


@dataclass(frozen=True)
class Change:
    path: str  # e.g. "title", "budget_lines.12.unit_cost", "group.informal_members.2"
    kind: str  # "added", "removed" or "changed"
    before: Any = None
    after: Any = None
    lines: tuple[str, ...] = field(default=())  # a line diff of a long text: "-old", "+new"

    @property
    def section(self) -> str:
        return self.path.split(".", 1)[0]


def _text_lines(before: Any, after: Any) -> tuple[str, ...]:
    if not (isinstance(before, str) and isinstance(after, str)):
        return ()
    if "\n" not in before + after and max(len(before), len(after)) <= _LONG_TEXT:
        return ()
    return tuple(
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if not line.startswith(("---", "+++", "@@"))
    )


def _records(name: str, items: list) -> dict:
    key = _KEYED_LISTS.get(name)
    if key:
        return {str(item.get(key)): item for item in items if isinstance(item, dict)}
    return {str(index): item for index, item in enumerate(items, start=1)}


def _diff(path: str, before: Any, after: Any, out: list[Change]) -> None:
    if before == after:
        return
    name = path.rsplit(".", 1)[-1]
    if isinstance(before, dict) and isinstance(after, dict):
        for key in list(before) + [k for k in after if k not in before]:
            sub = f"{path}.{key}" if path else str(key)
            if not path and key in _SKIPPED:
                continue
            if key not in after:
                out.append(Change(sub, "removed", before=before[key]))
            elif key not in before:
                out.append(Change(sub, "added", after=after[key]))
            else:
                _diff(sub, before[key], after[key], out)
        return
    if isinstance(before, list) and isinstance(after, list):
        old, new = _records(name, before), _records(name, after)
        for key in list(old) + [k for k in new if k not in old]:
            sub = f"{path}.{key}"
            if key not in new:
                out.append(Change(sub, "removed", before=old[key]))
            elif key not in old:
                out.append(Change(sub, "added", after=new[key]))
            else:
                _diff(sub, old[key], new[key], out)
        return
    out.append(Change(path, "changed", before, after, _text_lines(before, after)))


def diff_snapshots(before: dict, after: dict) -> list[Change]:
    """Every field and record that differs between two snapshots' data."""
    changes: list[Change] = []
    _diff("", before, after, changes)
    return changes


def snapshot_changes(application: Application, version: int | None = None) -> list[Change]:
    """What changed in `version` (by default the latest) against the version
    before it; empty for a first submission. The caller has already checked
    that the user may see the application."""
    versions = ApplicationSnapshot.objects.filter(application=application).order_by("-version")
    if version is not None:
        versions = versions.filter(version__lte=version)
    snapshots = list(versions[:2])
    if version is not None and (not snapshots or snapshots[0].version != version):
        raise Http404
    if len(snapshots) < 2:
        return []
    return diff_snapshots(snapshots[1].data, snapshots[0].data)


def application_changes(user, pk, version: int | None = None) -> list[Change]:
    """`snapshot_changes` for an application the user may see (404 otherwise)."""
    application = get_object_or_404(applications_visible_to(user), pk=pk)
    return snapshot_changes(application, version)
