"""One small form per change of a grant or a tranche: signing, starting,
terminating, paying, recording a refund, asking for a partial report...

Each action is a row of a table: who may use it, its form, the service it
calls and what to say afterwards. The grant's page shows the short ones
inline and links to the others; all post here. A refusal because of the
state (409) goes back to the grant's page as a message and changes nothing;
a rule's message (400) is shown on the form's fields.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.errors import NotPermitted, RuleViolation, WrongState
from core.views import apply_domain_errors, login_required

from .. import selectors, services
from ..forms import (
    ApproveOverForm,
    CommentForm,
    DeclineForm,
    PaymentPayForm,
    ReasonForm,
    RefundForm,
    ReportRequestForm,
    SignForm,
    TerminateForm,
)
from ..permissions import can_decline_grant, can_manage_grant
from .common import grant_url, refuse, require


@dataclass(frozen=True)
class Action:
    title: Promise
    button: Promise
    form: type[forms.Form]
    run: Callable  # (obj, actor, cleaned_data) -> object
    done: Promise
    check: Callable = can_manage_grant  # (user, grant) -> (allowed, reason)
    anchor: str = ""
    intro: Promise | str = ""
    danger: bool = False
    form_kwargs: Callable = field(default=lambda obj: {})


GRANT_ACTIONS = {
    "sign": Action(
        title=gettext_lazy("Record the signed contract"),
        button=gettext_lazy("Record the signature"),
        form=SignForm,
        run=lambda grant, actor, data: services.grant_sign(
            grant=grant, actor=actor, signed_on=data["signed_on"]
        ),
        done=gettext_lazy("The contract is recorded as signed."),
        anchor="contract",
    ),
    "start": Action(
        title=gettext_lazy("Start the project"),
        button=gettext_lazy("Start the project"),
        form=CommentForm,
        run=lambda grant, actor, data: services.grant_start(
            grant=grant, actor=actor, comment=data["comment"]
        ),
        done=gettext_lazy("The project is in progress."),
        intro=gettext_lazy("The system does this itself on the project's start date."),
    ),
    "start_reporting": Action(
        title=gettext_lazy("Open the final reporting"),
        button=gettext_lazy("Open the final reporting"),
        form=CommentForm,
        run=lambda grant, actor, data: services.grant_start_reporting(
            grant=grant, actor=actor, comment=data["comment"]
        ),
        done=gettext_lazy("The final reporting is open."),
        anchor="reports",
        intro=gettext_lazy(
            "The system does this itself after the project's end, or when the final report "
            "is submitted."
        ),
    ),
    "settle": Action(
        title=gettext_lazy("Settle the grant"),
        button=gettext_lazy("Settle"),
        form=CommentForm,
        run=lambda grant, actor, data: services.grant_settle(
            grant=grant, actor=actor, comment=data["comment"]
        ),
        done=gettext_lazy("The grant is settled."),
        anchor="settlement",
    ),
    "close": Action(
        title=gettext_lazy("Close the grant"),
        button=gettext_lazy("Close"),
        form=CommentForm,
        run=lambda grant, actor, data: services.grant_close(
            grant=grant, actor=actor, comment=data["comment"]
        ),
        done=gettext_lazy("The grant is closed."),
    ),
    "terminate": Action(
        title=gettext_lazy("Terminate the contract"),
        button=gettext_lazy("Terminate the contract"),
        form=TerminateForm,
        run=lambda grant, actor, data: services.grant_terminate(
            grant=grant,
            actor=actor,
            comment=data["comment"],
            refund_amount=data["refund_amount"],
            terminated_on=data["terminated_on"],
        ),
        done=gettext_lazy("The contract is terminated; the refund is due."),
        intro=gettext_lazy(
            "Terminating cannot be undone. No further tranche can be paid; the group must "
            "return the refund set here."
        ),
        danger=True,
        form_kwargs=lambda grant: {"paid": selectors.grant_paid_total(grant)},
    ),
    "decline": Action(
        title=gettext_lazy("Decline the grant"),
        button=gettext_lazy("Yes, decline the grant"),
        form=DeclineForm,
        run=lambda grant, actor, data: services.grant_decline(
            grant=grant, actor=actor, comment=data["comment"]
        ),
        done=gettext_lazy("The grant was declined."),
        check=can_decline_grant,
        intro=gettext_lazy(
            "The group resigns from the grant before the contract is signed. This cannot be undone."
        ),
        danger=True,
    ),
    "request-report": Action(
        title=gettext_lazy("Request a partial report"),
        button=gettext_lazy("Request the report"),
        form=ReportRequestForm,
        run=lambda grant, actor, data: services.report_request(
            grant=grant, actor=actor, due_date=data["due_date"], comment=data["comment"]
        ),
        done=gettext_lazy("The partial report was requested; the group has been told."),
        anchor="reports",
    ),
    "refund": Action(
        title=gettext_lazy("Record a refund received"),
        button=gettext_lazy("Record the refund"),
        form=RefundForm,
        run=lambda grant, actor, data: services.grant_refund_record(
            grant=grant,
            actor=actor,
            amount=data["amount"],
            received_on=data["received_on"],
            reference=data["reference"],
        ),
        done=gettext_lazy("The refund was recorded."),
        anchor="settlement",
    ),
}

PAYMENT_ACTIONS = {
    "withdraw": Action(
        title=gettext_lazy("Withdraw the approval of the tranche"),
        button=gettext_lazy("Withdraw the approval"),
        form=ReasonForm,
        run=lambda payment, actor, data: services.payment_withdraw(
            payment=payment, actor=actor, comment=data["comment"]
        ),
        done=gettext_lazy("The approval was withdrawn; the tranche is scheduled again."),
        anchor="tranches",
    ),
    "approve": Action(
        title=gettext_lazy("Approve the tranche for payment"),
        button=gettext_lazy("Approve for payment"),
        form=CommentForm,
        run=lambda payment, actor, data: services.payment_approve(
            payment=payment, actor=actor, comment=data["comment"]
        ),
        done=gettext_lazy("The tranche is approved for payment."),
        anchor="tranches",
    ),
    "pay": Action(
        title=gettext_lazy("Record the payment of the tranche"),
        button=gettext_lazy("Record the payment"),
        form=PaymentPayForm,
        run=lambda payment, actor, data: services.payment_pay(
            payment=payment,
            actor=actor,
            paid_on=data["paid_on"],
            bank_reference=data["bank_reference"],
            amount=data["amount"],
        ),
        done=gettext_lazy("The payment is recorded."),
        anchor="tranches",
        form_kwargs=lambda payment: {"payment": payment},
    ),
}


def run_action(request, action: Action, *, obj, grant, extra=None):
    """GET: the action's form. POST: run it; a rule's messages come back on
    the form (422), a wrong state goes back to the grant as a message."""
    require(action.check(request.user, grant))
    data = request.POST if request.method == "POST" else None
    form = action.form(data, **action.form_kwargs(obj))
    if request.method == "POST" and form.is_valid():
        try:
            action.run(obj, request.user, form.cleaned_data)
        except NotPermitted as exc:
            raise PermissionDenied(exc.messages[0]) from exc
        except WrongState as exc:
            return refuse(request, exc, grant_url(grant, action.anchor))
        except RuleViolation as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(request, action.done)
            return redirect(grant_url(grant, action.anchor))
    return render(
        request,
        "payouts/action.html",
        {"grant": grant, "action": action, "form": form, "object": obj, **(extra or {})},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def grant_action(request, pk, action):
    spec = GRANT_ACTIONS.get(action)
    if spec is None:
        raise Http404
    grant = selectors.grant_detail(request.user, pk)
    return run_action(request, spec, obj=grant, grant=grant)


@login_required
@require_http_methods(["GET", "POST"])
def payment_action(request, pk, action):
    spec = PAYMENT_ACTIONS.get(action)
    if spec is None:
        raise Http404
    payment = selectors.payment_detail(request.user, pk)
    grant = payment.grant
    return run_action(request, spec, obj=payment, grant=grant, extra={"payment": payment})


APPROVE_OVER = Action(
    title=gettext_lazy("Approve spending above the plan"),
    button=gettext_lazy("Save the approval"),
    form=ApproveOverForm,
    run=lambda line, actor, data: services.grant_line_approve_over(
        grant=line.grant,
        actor=actor,
        line=line,
        amount=data["amount"],
        comment=data["comment"],
    ),
    done=gettext_lazy("The approval for the budget line is saved."),
    anchor="budget",
    intro=gettext_lazy(
        "The line may then use up to this much more of the grant than planned, instead of "
        "the allowed shift. 0 withdraws the approval."
    ),
    form_kwargs=lambda line: {"initial": {"amount": line.approved_over}},
)


@login_required
@require_http_methods(["GET", "POST"])
def line_approve_over(request, pk, line_pk):
    grant = selectors.grant_detail(request.user, pk)
    line = get_object_or_404(grant.budget_lines.all(), pk=line_pk)
    return run_action(request, APPROVE_OVER, obj=line, grant=grant, extra={"line": line})
