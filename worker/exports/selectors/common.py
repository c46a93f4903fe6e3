"""Who may export what, and what the reads share."""

from decimal import Decimal

from django.db.models import DecimalField
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from competitions.models import Competition
from core.errors import WrongState
from core.roles import roles_for
from reviews.results import review_settings
from reviews.selectors import DECIDED_STATES

ZERO = Decimal("0.00")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


def competition_for_official(user, pk) -> Competition:
    """A competition of the user's operator; 404 for anything else."""
    return get_object_or_404(
        Competition.objects.select_related("operator").filter(
            operator_id__in=roles_for(user).operator_ids
        ),
        pk=pk,
    )


def require_official(user, competition: Competition) -> None:
    if not roles_for(user).is_official_of(competition.operator_id):
        raise Http404


def require_results_open(competition: Competition) -> None:
    if competition.status in DECIDED_STATES:
        return
    if not review_settings(competition).scoring_closed:
        raise WrongState(_("Scores and results are exported once scoring closes."))
