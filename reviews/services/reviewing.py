"""Scoring: a member drafts and submits their review; the chair or an
official reopens one; an official closes scoring, after which the results and
the panel view are visible."""

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from competitions.models import Competition, Criterion
from competitions.permissions import can_manage
from core.errors import NotPermitted, RuleViolation, WrongState
from core.transitions import perform_transition, write_audit

from ..models import Review, ReviewSettings, Score
from ..permissions import can_reopen, can_score
from .common import (
    is_conflicted,
    lock_competition,
    lock_review,
    locked_settings,
    require,
    require_in_review,
    require_scoring_open,
)

CENT = Decimal("0.01")
COMMENT_LIMIT = 5000


def _points(value, criterion: Criterion) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError
    points = Decimal(str(value).strip().replace(",", "."))
    if not points.is_finite() or points != points.quantize(CENT):
        raise ValueError
    if not Decimal("0") <= points <= criterion.max_points:
        raise ValueError
    return points.quantize(CENT)


def _parse_scores(criteria: list[Criterion], scores: Iterable[Mapping]) -> dict[int, dict]:
    """[{"criterion": id, "points": number or None, "comment": str}] → by criterion."""
    by_id = {c.pk: c for c in criteria}
    parsed: dict[int, dict] = {}
    errors: dict[str, list[str]] = {}
    for entry in scores:
        raw = entry.get("criterion")
        criterion_id = raw.pk if isinstance(raw, Criterion) else raw
        try:
            criterion = by_id[int(criterion_id)]
        except (KeyError, TypeError, ValueError):
            errors.setdefault("scores", []).append(
                _("There is no such criterion: %(id)s.") % {"id": criterion_id}
            )
            continue
        key = f"scores.{criterion.pk}"
        if criterion.pk in parsed:
            errors.setdefault(key, []).append(_("This criterion is given twice."))
            continue
        try:
            points = _points(entry.get("points"), criterion)
        except (ValueError, InvalidOperation):
            errors.setdefault(key, []).append(
                _("Give points from 0 to %(max)s, with at most two decimal places.")
                % {"max": criterion.max_points}
            )
            continue
        comment = entry.get("comment") or ""
        if not isinstance(comment, str) or len(comment) > COMMENT_LIMIT:
            errors.setdefault(key, []).append(
                _("A comment is text of at most %(limit)s characters.") % {"limit": COMMENT_LIMIT}
            )
            continue
        parsed[criterion.pk] = {"points": points, "comment": comment.strip()}
    if errors:
        raise RuleViolation(errors=errors)
    return parsed


def _guard_scoring(review: Review, actor) -> None:
    require(can_score(actor, review))
    competition = review.application.competition
    require_in_review(competition)
    settings = ReviewSettings.objects.filter(competition=competition).first()
    if settings is not None:
        require_scoring_open(settings)
    if review.application.status != Application.Status.IN_REVIEW:
        raise WrongState(_("This application is no longer in review."))
    if review.status not in Review.OPEN:
        raise WrongState(
            _("This review is “%(status)s”; only the chair or an official can reopen it.")
            % {"status": review.get_status_display()}
        )
    if is_conflicted(review.member, review.application):
        raise NotPermitted(
            _("You have a conflict with this application; declare it instead of scoring.")
        )


def _write_scores(review: Review, scores: Iterable[Mapping], comment: str | None) -> list[int]:
    criteria = list(review.application.competition.criteria.all())
    parsed = _parse_scores(criteria, scores)
    existing = {s.criterion_id: s for s in review.scores.select_for_update()}
    now = timezone.now()
    changed = []
    for criterion_id, entry in parsed.items():
        score = existing.get(criterion_id)
        if entry["points"] is None:
            if score is not None:
                score.delete()
                changed.append(criterion_id)
            continue
        if score is None:
            Score.objects.create(
                review=review,
                criterion_id=criterion_id,
                points=entry["points"],
                comment=entry["comment"],
                updated_at=now,
            )
            changed.append(criterion_id)
        elif (score.points, score.comment) != (entry["points"], entry["comment"]):
            score.points = entry["points"]
            score.comment = entry["comment"]
            score.updated_at = now
            score.save(update_fields=["points", "comment", "updated_at"])
            changed.append(criterion_id)
    if comment is not None:
        comment = comment.strip()
        if len(comment) > 10000:
            raise RuleViolation(errors={"comment": [_("The comment is too long.")]})
        review.comment = comment
    review.updated_at = now
    return changed


def _save(review: Review, actor) -> None:
    if review.status == Review.Status.ASSIGNED:
        perform_transition(review, "start", actor=actor)
    else:
        review.save(update_fields=["comment", "updated_at"])


@transaction.atomic
def review_save_draft(
    *, review: Review, actor, scores: Iterable[Mapping] = (), comment: str | None = None
) -> Review:
    """Save whatever is scored so far; points None removes a score. The member
    can come back to it until they submit."""
    review = lock_review(review)
    _guard_scoring(review, actor)
    changed = _write_scores(review, scores, comment)
    _save(review, actor)
    write_audit(review, transition="save_draft", actor=actor, payload={"criteria": changed})
    return review


@transaction.atomic
def review_submit(
    *, review: Review, actor, scores: Iterable[Mapping] | None = None, comment: str | None = None
) -> Review:
    """Submit the review: every criterion scored. It is locked afterwards;
    only the chair or an official can reopen it."""
    review = lock_review(review)
    _guard_scoring(review, actor)
    if scores is not None or comment is not None:
        _write_scores(review, scores or (), comment)
    _save(review, actor)
    criteria = list(review.application.competition.criteria.all())
    scored = {s.criterion_id: s for s in review.scores.all()}
    missing = [c.name for c in criteria if c.pk not in scored]
    if missing:
        raise RuleViolation(
            errors={
                "scores": [
                    _("Score every criterion before submitting; missing: %(criteria)s.")
                    % {"criteria": "; ".join(missing)}
                ]
            }
        )
    total = sum((scored[c.pk].points * c.weight for c in criteria), Decimal("0"))
    review.submitted_at = timezone.now()
    review.updated_at = review.submitted_at
    # The submitted points stay on record, so a review reopened and changed
    # later leaves a trace of what it said before. Whoever shows audit rows of
    # reviews must hide them until scoring closes, like the scores themselves.
    perform_transition(
        review,
        "submit",
        actor=actor,
        payload={
            "total": total,
            "scores": {str(c.pk): scored[c.pk].points for c in criteria},
        },
    )
    return review


@transaction.atomic
def review_reopen(*, review: Review, actor, comment: str) -> Review:
    """Give a submitted review back to its member (the chair or an official),
    with the reason on record."""
    competition = lock_competition(review.application.competition)
    review = lock_review(review)
    require(can_reopen(actor, review))
    require_in_review(competition)
    require_scoring_open(locked_settings(competition))
    comment = (comment or "").strip()
    if not comment:
        raise RuleViolation(errors={"comment": [_("Say why the review is reopened.")]})
    review.submitted_at = None
    review.updated_at = timezone.now()
    perform_transition(review, "reopen", actor=actor, comment=comment)
    return review


@transaction.atomic
def scoring_close(*, competition: Competition, actor, comment: str = "") -> ReviewSettings:
    """Close scoring: every assigned review submitted, every application in
    review scored at least once. Results and the panel view open; reviews can
    no longer change."""
    competition = lock_competition(competition)
    require(can_manage(actor, competition))
    require_in_review(competition)
    settings = locked_settings(competition)
    require_scoring_open(settings)
    open_reviews = list(
        Review.objects.filter(
            application__competition=competition,
            application__status=Application.Status.IN_REVIEW,
            status__in=Review.OPEN,
        )
        .select_related("application", "member__user")
        .order_by("application__sequence", "pk")
    )
    if open_reviews:
        raise RuleViolation(
            errors={
                "reviews": [
                    _("Reviews not submitted yet: %(reviews)s.")
                    % {
                        "reviews": "; ".join(
                            f"{r.application.number} ({r.member.user.full_name})"
                            for r in open_reviews
                        )
                    }
                ]
            }
        )
    unscored = list(
        Application.objects.filter(competition=competition, status=Application.Status.IN_REVIEW)
        .exclude(reviews__status=Review.Status.SUBMITTED)
        .order_by("sequence")
        .values_list("number", flat=True)
    )
    if unscored:
        raise RuleViolation(
            errors={
                "applications": [
                    _("These applications have no submitted review: %(numbers)s.")
                    % {"numbers": ", ".join(unscored)}
                ]
            }
        )
    settings.scoring_closed_at = timezone.now()
    settings.scoring_closed_by = actor
    settings.save(update_fields=["scoring_closed_at", "scoring_closed_by"])
    write_audit(competition, transition="scoring_close", actor=actor, comment=comment)
    return settings


@transaction.atomic
def scoring_reopen(*, competition: Competition, actor, comment: str) -> ReviewSettings:
    """Open scoring again (to reopen a review after the panel saw the results);
    the reason is on record."""
    competition = lock_competition(competition)
    require(can_manage(actor, competition))
    require_in_review(competition)
    settings = locked_settings(competition)
    if not settings.scoring_closed:
        raise WrongState(_("Scoring is open."))
    comment = (comment or "").strip()
    if not comment:
        raise RuleViolation(errors={"comment": [_("Say why scoring is opened again.")]})
    settings.scoring_closed_at = None
    settings.scoring_closed_by = None
    settings.save(update_fields=["scoring_closed_at", "scoring_closed_by"])
    write_audit(competition, transition="scoring_reopen", actor=actor, comment=comment)
    return settings
