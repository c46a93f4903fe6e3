"""Two pages of several rows: the applicant's budget update after a reduced
award, and the contract's terms with its tranches prepared by an official.

The rows the person left blank are dropped before the service sees the
list; the service's messages about row n are put back on the form that row
came from."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import NotPermitted, RuleViolation, WrongState
from core.views import login_required

from .. import selectors, services
from ..forms import BudgetLineUpdateForm, BudgetUpdateFormSet, ContractForm, TrancheFormSet
from ..permissions import can_act_for_grantee, can_manage_grant
from .common import grant_url, refuse, require

ROW_ERROR = re.compile(r"^(?P<rows>\w+)\.(?P<index>\d+)(?:\.(?P<field>\w+))?$")


def put_row_errors(exc: RuleViolation, rows: str, forms: list, *, main=None) -> list[str]:
    """Messages keyed `<rows>.<n>.<field>` go on the n-th form sent, keys of
    the main form on it; the rest (sums, shares) are returned for the summary."""
    others = []
    for key, key_messages in exc.errors.items():
        match = ROW_ERROR.match(key)
        if match and match["rows"] == rows and int(match["index"]) < len(forms):
            form = forms[int(match["index"])]
            target = match["field"] if match["field"] in form.fields else None
            for message in key_messages:
                form.add_error(target, message)
        elif main is not None and key in main.fields:
            for message in key_messages:
                main.add_error(key, message)
        else:
            others.extend(key_messages)
    return others


def _sent_forms(formset) -> list:
    """The forms whose rows go to the service, in order."""
    deleted = set(getattr(formset, "deleted_forms", []))
    return [form for form in formset.forms if form not in deleted and not form.is_empty_row()]


@login_required
@require_http_methods(["GET", "POST"])
def budget_update(request, pk):
    grant = selectors.grant_detail(request.user, pk)
    require(can_act_for_grantee(request.user, grant))
    # The initial rows also on a post: they name the lines and tell which
    # rows were there before.
    initial = [BudgetLineUpdateForm.initial_from(line) for line in grant.budget_lines.all()]
    extra_errors: list[str] = []
    if request.method == "POST":
        formset = BudgetUpdateFormSet(request.POST, prefix="lines", initial=initial)
        if formset.is_valid():
            sent = _sent_forms(formset)
            try:
                services.grant_budget_update(
                    grant=grant, actor=request.user, lines=[f.service_row() for f in sent]
                )
            except NotPermitted as exc:
                raise PermissionDenied(exc.messages[0]) from exc
            except WrongState as exc:
                return refuse(request, exc, grant_url(grant, "budget"))
            except RuleViolation as exc:
                extra_errors = put_row_errors(exc, "lines", sent)
            else:
                messages.success(
                    request, _("The budget is updated. The operator can now prepare the contract.")
                )
                return redirect(grant_url(grant, "budget"))
    else:
        formset = BudgetUpdateFormSet(prefix="lines", initial=initial)
    return render(
        request,
        "payouts/budget_update.html",
        {
            "grant": grant,
            "competition": grant.competition,
            "formset": formset,
            "extra_errors": extra_errors,
            "totals": selectors.grant_budget_totals(grant),
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_prepare(request, pk):
    grant = selectors.grant_detail(request.user, pk)
    require(can_manage_grant(request.user, grant))
    initial = [{"amount": p.amount, "due_date": p.due_date} for p in grant.payments.all()]
    extra_errors: list[str] = []
    if request.method == "POST":
        form = ContractForm(request.POST, initial=ContractForm.initial_from(grant))
        tranches = TrancheFormSet(request.POST, prefix="tranches", initial=initial)
        if form.is_valid() and tranches.is_valid():
            sent = _sent_forms(tranches)
            data = {
                **form.cleaned_data,
                "tranches": [
                    {"amount": f.cleaned_data.get("amount"), "due_date": f.cleaned_data["due_date"]}
                    for f in sent
                ],
            }
            try:
                services.grant_contract_prepare(grant=grant, actor=request.user, data=data)
            except NotPermitted as exc:
                raise PermissionDenied(exc.messages[0]) from exc
            except WrongState as exc:
                return refuse(request, exc, grant_url(grant, "contract"))
            except RuleViolation as exc:
                extra_errors = put_row_errors(exc, "tranches", sent, main=form)
            else:
                messages.success(request, _("The contract is saved."))
                return redirect(grant_url(grant, "contract"))
    else:
        form = ContractForm(initial=ContractForm.initial_from(grant))
        tranches = TrancheFormSet(prefix="tranches", initial=initial)
    return render(
        request,
        "payouts/contract_form.html",
        {
            "grant": grant,
            "form": form,
            "tranches": tranches,
            "extra_errors": extra_errors,
        },
        status=422 if request.method == "POST" else 200,
    )
