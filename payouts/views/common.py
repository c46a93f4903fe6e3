"""What the grant, tranche and report pages share: who the person is for a
grant, refusals, fragments for htmx, and the history as rows."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.errors import NotPermitted
from core.roles import roles_for
from core.views import FRAGMENT_HEADER

from ..models import Grant, Payment, Report

# Changes written to the log that are not transitions of a state machine.
OTHER_CHANGES = {
    "create": _("Grant awarded"),
    "budget_update": _("Budget updated"),
    "contract_prepare": _("Contract prepared"),
    "approve_change": _("Change on a budget line approved"),
    "settlement": _("Settlement computed"),
    "refund_record": _("Refund received"),
    "request": _("Partial report requested"),
    "open": _("Final report opened"),
}


def _transition_labels(model) -> dict:
    field = model._meta.get_field("status")
    return {t.name: t.custom.get("label", t.name) for t in field.get_all_transitions(model)}


def grant_url(grant, anchor: str = "") -> str:
    url = reverse("grant-detail", args=[grant.pk])
    return f"{url}#{anchor}" if anchor else url


class Viewer:
    """What the person looking at one grant is to it (no queries: roles are
    read once per request)."""

    def __init__(self, user, grant: Grant):
        roles = roles_for(user)
        self.is_official = roles.is_official_of(grant.competition.operator_id)
        self.is_grantee = roles.is_member_of(grant.group_id)


def require(check: tuple[bool, str]) -> None:
    """A page only the grantee (or only an official) may use: 403 with the reason."""
    allowed, reason = check
    if not allowed:
        raise PermissionDenied(reason)


def refuse(request, exc, url: str):
    """A service said no because of the state or a rule with nothing to show
    on a form: the messages go to the page the person comes back to."""
    if isinstance(exc, NotPermitted):
        raise PermissionDenied(exc.messages[0]) from exc
    for message in exc.messages:
        messages.error(request, message)
    return redirect(url)


def fragment(request, template: str, context: dict, *, marker: str, status: int = 200):
    """An htmx answer the autosave script recognises as ours: `saved`,
    `invalid` (nothing saved, messages inside) or `conflict` (wrong state)."""
    response = render(request, template, context, status=status)
    response[FRAGMENT_HEADER] = marker
    return response


def history_rows(entries, *, payments=(), reports=(), model=None) -> list[dict]:
    """Audit entries of a grant with its tranches and reports, in words.
    `model` when every entry is about one kind of object (no content type
    is then read)."""
    models = {Grant: Grant, Payment: Payment, Report: Report}
    states = {model: dict(model.Status.choices) for model in models}
    transitions = {model: _transition_labels(model) for model in models}
    tranche_names = {p.pk: _("Tranche %(order)s") % {"order": p.order} for p in payments}
    report_names = {r.pk: r.get_kind_display() for r in reports}
    rows = []
    fixed_model = model
    for entry in entries:
        model = fixed_model or entry.content_type.model_class()
        if fixed_model is not None:
            subject = ""
        elif model is Payment:
            subject = tranche_names.get(entry.object_id, _("Tranche"))
        elif model is Report:
            subject = report_names.get(entry.object_id, _("Report"))
        else:
            subject = _("Grant")
        labels = states.get(model, {})
        change = transitions.get(model, {}).get(entry.transition) or OTHER_CHANGES.get(
            entry.transition, entry.transition
        )
        rows.append(
            {
                "when": entry.created_at,
                "who": entry.actor_label,
                "subject": subject,
                "change": change,
                "from": labels.get(entry.from_state, entry.from_state),
                "to": labels.get(entry.to_state, entry.to_state),
                "moved": entry.from_state != entry.to_state,
                "comment": entry.comment,
            }
        )
    return rows
