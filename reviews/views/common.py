"""What the commission pages share: the competition's sub-navigation, turning a
service's refusal into a message, and the one lookup of a review by an
official or the chair."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.errors import DomainError, NotPermitted
from core.roles import roles_for

from ..models import Review
from ..selectors import is_conflicted_with

# (url name, label, who sees the link): "official", "chair" (or official),
# "reader" (an official or a member who signed).
SECTIONS = [
    ("formal-check-list", _("Formal check"), "official"),
    ("commission-manage", pgettext_lazy("menu", "Commission"), "official"),
    ("assignments", _("Assignments"), "official"),
    ("review-progress", _("Progress"), "chair"),
    ("ranking", _("Ranking"), "reader"),
    ("scoring-panel", _("All scores"), "reader"),
    ("recommendations", _("Recommendation"), "chair_only"),
    ("decisions", _("Decisions"), "official"),
]


def competition_nav(user, competition, current: str) -> list[dict]:
    """The links of one competition's review pages this person may open."""
    roles = roles_for(user)
    official = roles.is_official_of(competition.operator_id)
    chair = roles.is_chair_of(competition.pk)
    allowed = {
        "official": official,
        "chair": official or chair,
        "chair_only": chair,
        "reader": official or roles.has_signed_for(competition.pk),
    }
    return [
        {
            "url": reverse(name, args=[competition.pk]),
            "label": label,
            "current": name == current,
        }
        for name, label, who in SECTIONS
        if allowed[who]
    ]


def nav_context(request, competition, current: str) -> dict:
    return {
        "competition": competition,
        "competition_nav": competition_nav(request.user, competition, current),
    }


def refuse(request, exc: DomainError, to: str):
    """A service said no: a permission refusal is a 403 page; anything else
    (the state, a rule) is a message on the page the person came from, with
    nothing changed."""
    if isinstance(exc, NotPermitted):
        raise PermissionDenied(exc.messages[0]) from exc
    for message in exc.messages:
        messages.error(request, message)
    return redirect(to)


def require_official(user, competition) -> None:
    # Invisible, not forbidden: another operator's official learns nothing.
    if not roles_for(user).is_official_of(competition.operator_id):
        raise Http404


def review_for_supervisor(user, pk) -> Review:
    """A review as an official of the operator or the chair sees it (to reopen
    it); anyone else gets 404. Like the progress page: no scores are read."""
    review = get_object_or_404(
        Review.objects.select_related(
            "application",
            "application__competition",
            "application__competition__operator",
            "member__user",
        ),
        pk=pk,
    )
    competition = review.application.competition
    roles = roles_for(user)
    if roles.is_official_of(competition.operator_id):
        return review
    if not roles.is_chair_of(competition.pk) or is_conflicted_with(user, review.application):
        raise Http404
    return review
