"""The competition's transitions that belong to the review: `start_review`
(with `no_ngo_reason` when the commission has no NGO representative) and
`decide` (applies the recorded decisions and creates the grants). The
competitions' viewset offers them beside its own."""

from .. import services
from .serializers import StartReviewInputSerializer


def _start_review(competition, actor, data):
    return services.competition_start_review(
        competition=competition,
        actor=actor,
        no_ngo_reason=data.get("no_ngo_reason", ""),
        comment=data.get("comment", ""),
    )


def _decide(competition, actor, data):
    return services.competition_decide(
        competition=competition, actor=actor, comment=data.get("comment", "")
    )


REVIEW_TRANSITIONS = {"start_review": _start_review, "decide": _decide}
REVIEW_TRANSITION_INPUTS = {"start_review": StartReviewInputSerializer}
