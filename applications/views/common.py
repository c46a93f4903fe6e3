"""What the application and group pages share."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from core.views import FRAGMENT_HEADER

from ..permissions import can_act_for_applicant


def fragment(request, template: str, context: dict, *, marker: str, status: int = 200):
    """An htmx answer the autosave script recognises as ours: `saved`,
    `invalid` (nothing saved, messages inside) or `conflict` (wrong state)."""
    response = render(request, template, context, status=status)
    response[FRAGMENT_HEADER] = marker
    return response


def require_applicant(user, application) -> None:
    allowed, reason = can_act_for_applicant(user, application)
    if not allowed:
        raise PermissionDenied(reason)
