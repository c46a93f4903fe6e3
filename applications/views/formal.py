"""The formal check pages: the official's list of a competition's submitted
applications, the check of one application (checklist, the submitted version,
what changed since the previous one, and the outcome), and the applicant's
page of what to correct or why the application was rejected."""

from collections import Counter
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from competitions.selectors import competitions_managed_by
from core.errors import NotPermitted, RuleViolation, WrongState
from core.templatetags.grantownik import day, pct, pln, warsaw
from core.views import apply_domain_errors, login_required
from reviews.views.common import nav_context, refuse

from .. import formal
from ..formal_selectors import formal_check_for_official, formal_findings
from ..models import Application, FormalCheck
from ..selectors import applications_visible_to

# Forms


PASSED = {"yes": True, "no": False, "": None}


class FormalCheckForm(forms.Form):
    """Met / not met / not checked yet, and a comment, for each checklist item."""

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"passed_{item.pk}"] = forms.ChoiceField(
                label=item.text,
                choices=[
                    ("yes", gettext_lazy("met")),
                    ("no", gettext_lazy("not met")),
                    ("", gettext_lazy("not checked yet")),
                ],
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"comment_{item.pk}"] = forms.CharField(
                label=gettext_lazy("Comment"),
                required=False,
                max_length=2000,
                help_text=gettext_lazy("The applicant reads it when the item is not met."),
            )

    @staticmethod
    def initial_from(findings, *, new_version: bool) -> dict:
        """The saved findings; for a corrected version only what passed before
        (as the next round will start), since the failed items must be
        looked at again."""
        initial = {}
        for finding in findings:
            passed = finding.passed
            if new_version and passed is not True:
                continue
            initial[f"passed_{finding.item.pk}"] = {True: "yes", False: "no"}.get(passed, "")
            initial[f"comment_{finding.item.pk}"] = finding.comment
        return initial

    def rows(self):
        return [
            {
                "item": item,
                "passed": self[f"passed_{item.pk}"],
                "comment": self[f"comment_{item.pk}"],
            }
            for item in self.items
        ]

    def results(self) -> list[dict]:
        return [
            {
                "item": item.pk,
                "passed": PASSED[self.cleaned_data.get(f"passed_{item.pk}") or ""],
                "comment": self.cleaned_data.get(f"comment_{item.pk}") or "",
            }
            for item in self.items
        ]


class AcceptForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Note for the record"), required=False, max_length=2000
    )


class CorrectionForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Message to the applicant"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Sent with the list of items to correct."),
    )


class RejectForm(forms.Form):
    reasons = forms.CharField(
        label=gettext_lazy("Reasons for the rejection"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("The applicant reads these reasons."),
    )


# What changed since the previous version

SECTION_LABELS = {
    "title": gettext_lazy("Title"),
    "summary": gettext_lazy("Short summary"),
    "description": gettext_lazy("Project description"),
    "target_group": gettext_lazy("Target group"),
    "target_group_size": gettext_lazy("Number of participants"),
    "place": gettext_lazy("Place"),
    "start_date": gettext_lazy("Start date"),
    "end_date": gettext_lazy("End date"),
    "amount_requested": gettext_lazy("Amount requested"),
    "budget_lines": gettext_lazy("Budget"),
    "budget_totals": gettext_lazy("Budget totals"),
    "schedule_items": gettext_lazy("Schedule"),
    "indicators": gettext_lazy("Planned results"),
    "answers": gettext_lazy("Additional questions"),
    "attachments": gettext_lazy("Attachments"),
    "group": gettext_lazy("Applicant group"),
}
MONEY_KEYS = {
    "amount_requested",
    "unit_cost",
    "total",
    "grant",
    "grant_amount",
    "own_financial",
    "own_non_financial",
    "own_contribution",
    "administrative",
}
DATE_KEYS = {"start_date", "end_date"}
RECORD_KEYS = {"budget_lines": "id", "attachments": "id", "answers": "question_id"}


def _record_name(record) -> str:
    if not isinstance(record, dict):
        return ""
    for key in ("name", "action", "question", "full_name", "result"):
        if record.get(key):
            return str(record[key])
    return ""


def _show(key: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return _record_name(value) or ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_show(key, v) for v in value) or "—"
    if key in MONEY_KEYS:
        return pln(value)
    if key.endswith("_pct"):
        return pct(value)
    if key in DATE_KEYS:
        return day(value)
    return str(value)


def _find_record(data: dict, section: str, key: str):
    records = data.get(section)
    if isinstance(records, dict):
        return records.get(key)
    if not isinstance(records, list):
        return None
    id_key = RECORD_KEYS.get(section)
    if id_key:
        return next((r for r in records if str(r.get(id_key)) == key), None)
    try:
        return records[int(key) - 1]
    except (ValueError, IndexError):
        return None


def change_rows(changes, before: dict, after: dict) -> list[dict]:
    """Changes as the official reads them: where, what, before and after."""
    kinds = {"added": _("added"), "removed": _("removed"), "changed": _("changed")}
    rows = []
    for change in changes:
        parts = change.path.split(".")
        section = parts[0]
        where = [str(SECTION_LABELS.get(section, section))]
        if len(parts) > 1:
            record = _find_record(after, section, parts[1]) or _find_record(
                before, section, parts[1]
            )
            name = _record_name(record) if len(parts) > 2 else ""
            where.append(name or parts[1].replace("_", " "))
            where.extend(p.replace("_", " ") for p in parts[2:])
        key = parts[-1]
        rows.append(
            {
                "where": " › ".join(where),
                "kind": kinds.get(change.kind, change.kind),
                "before": _show(key, change.before) if change.kind != "added" else "",
                "after": _show(key, change.after) if change.kind != "removed" else "",
                "lines": change.lines,
            }
        )
    return rows


# Pages


@login_required
def formal_check_list(request, pk):
    """Every submitted application of the competition with its formal state."""
    competition = get_object_or_404(competitions_managed_by(request.user), pk=pk)
    latest = FormalCheck.objects.filter(application=OuterRef("pk")).order_by("-round")
    applications = list(
        applications_visible_to(request.user)
        .filter(competition=competition)
        .exclude(status=Application.Status.DRAFT)
        .annotate(
            check_outcome=Subquery(latest.values("outcome")[:1]),
            check_round=Subquery(latest.values("round")[:1]),
        )
        .order_by("sequence", "pk")
    )
    outcomes = dict(FormalCheck.Outcome.choices)
    counts = Counter(a.status for a in applications)
    return render(
        request,
        "reviews/formal/list.html",
        {
            **nav_context(request, competition, "formal-check-list"),
            "applications": [
                {"application": a, "outcome": outcomes.get(a.check_outcome, "")}
                for a in applications
            ],
            "counts": [
                (label, counts[value])
                for value, label in Application.Status.choices
                if counts.get(value)
            ],
            "open_count": counts.get(Application.Status.SUBMITTED, 0)
            + counts.get(Application.Status.NEEDS_CORRECTION, 0),
        },
    )


def _outcome_options(view) -> dict:
    """Which outcomes the saved findings allow, and why not the others."""
    application = view.application
    items = [f.item for f in view.findings]
    current = view.current
    pending = current is not None and not current.is_concluded
    unchecked = [f for f in view.findings if f.passed is None]
    failed = [f for f in view.findings if f.passed is False]
    fatal = [f for f in failed if not f.item.correctable]
    submitted = application.status == Application.Status.SUBMITTED
    open_for_check = application.competition.status in formal.CHECKING_STATES
    ready = submitted and open_for_check and (pending or not items)
    return {
        "checkable": submitted and open_for_check,
        "pending": pending,
        "new_version": submitted and current is not None and current.is_concluded,
        "unchecked": unchecked if ready else [],
        "failed": failed,
        "fatal": fatal,
        "can_accept": ready and not unchecked and not failed,
        "can_correct": ready and not unchecked and bool(failed) and not fatal,
        "can_reject": (ready and bool(failed))
        or (open_for_check and application.status == Application.Status.NEEDS_CORRECTION),
        "correction_deadline": timezone.now()
        + timedelta(days=application.competition.correction_window_days),
    }


def _check_page(request, view, *, form=None, reject_form=None, status=200):
    application = view.application
    options = _outcome_options(view)
    items = [f.item for f in view.findings]
    if form is None and options["checkable"]:
        form = FormalCheckForm(
            initial=FormalCheckForm.initial_from(view.findings, new_version=options["new_version"]),
            items=items,
        )
    snapshots = list(application.snapshots.all())
    latest = snapshots[-1] if snapshots else None
    changes = (
        change_rows(view.changes, snapshots[-2].data, snapshots[-1].data)
        if len(snapshots) > 1
        else []
    )
    outcomes = dict(FormalCheck.Outcome.choices)
    return render(
        request,
        "reviews/formal/check.html",
        {
            **nav_context(request, application.competition, "formal-check-list"),
            "application": application,
            "view": view,
            "form": form,
            "options": options,
            "snapshot": latest,
            "content": latest.data if latest else {},
            "changes": changes,
            "previous_version": snapshots[-2].version if len(snapshots) > 1 else None,
            "rounds": [
                {
                    "round": r,
                    "outcome": outcomes.get(r.outcome, r.outcome),
                    "failed": [x for x in r.results.all() if x.passed is False],
                }
                for r in reversed(view.rounds)
                if r.is_concluded
            ],
            "accept_form": AcceptForm(),
            "correction_form": CorrectionForm(),
            "reject_form": reject_form or RejectForm(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def formal_check(request, pk):
    view = formal_check_for_official(request.user, pk)
    if request.method == "GET":
        return _check_page(request, view)
    form = FormalCheckForm(request.POST, items=[f.item for f in view.findings])
    if form.is_valid():
        try:
            formal.formal_check_save(
                application=view.application, actor=request.user, results=form.results()
            )
        except RuleViolation as exc:
            apply_domain_errors(form, exc)
        except (WrongState, NotPermitted) as exc:
            return refuse(request, exc, reverse("formal-check", args=[pk]))
        else:
            messages.success(request, _("The check was saved."))
            return redirect("formal-check", pk=pk)
    return _check_page(request, view, form=form, status=422)


@login_required
@require_POST
def formal_accept(request, pk):
    view = formal_check_for_official(request.user, pk)
    back = reverse("formal-check", args=[pk])
    form = AcceptForm(request.POST)
    form.is_valid()
    try:
        application = formal.formal_accept(
            application=view.application,
            actor=request.user,
            comment=form.cleaned_data.get("comment", ""),
        )
    except (RuleViolation, WrongState, NotPermitted) as exc:
        return refuse(request, exc, back)
    messages.success(
        request,
        _("Application %(number)s was formally accepted.") % {"number": application.number},
    )
    return redirect("formal-check-list", pk=application.competition_id)


@login_required
@require_POST
def formal_correction(request, pk):
    view = formal_check_for_official(request.user, pk)
    back = reverse("formal-check", args=[pk])
    form = CorrectionForm(request.POST)
    form.is_valid()
    try:
        application = formal.formal_request_correction(
            application=view.application,
            actor=request.user,
            comment=form.cleaned_data.get("comment", ""),
        )
    except (RuleViolation, WrongState, NotPermitted) as exc:
        return refuse(request, exc, back)
    messages.success(
        request,
        _("A correction of %(number)s was requested; the applicant has until %(deadline)s.")
        % {"number": application.number, "deadline": warsaw(application.correction_deadline)},
    )
    return redirect("formal-check-list", pk=application.competition_id)


@login_required
@require_POST
def formal_reject(request, pk):
    view = formal_check_for_official(request.user, pk)
    back = reverse("formal-check", args=[pk])
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            application = formal.formal_reject(
                application=view.application,
                actor=request.user,
                reasons=form.cleaned_data["reasons"],
            )
        except RuleViolation as exc:
            apply_domain_errors(form, exc)
        except (WrongState, NotPermitted) as exc:
            return refuse(request, exc, back)
        else:
            messages.success(
                request,
                _("Application %(number)s was formally rejected.") % {"number": application.number},
            )
            return redirect("formal-check-list", pk=application.competition_id)
    return _check_page(request, view, reject_form=form, status=422)


@login_required
def application_formal_findings(request, pk):
    """For the applying group: what to correct, or why it was rejected."""
    application = get_object_or_404(applications_visible_to(request.user), pk=pk)
    return render(
        request,
        "reviews/formal/findings.html",
        {"application": application, "findings": formal_findings(request.user, pk)},
    )
