"""Every write to the commission, reviews, recommendations and decisions."""

from .assignments import (
    PlanInputs,
    Recusal,
    assignments_apply,
    assignments_auto,
    declare_conflict,
    plan_inputs,
)
from .commission import (
    commission_member_add,
    commission_member_remove,
    commission_member_update,
    competition_start_review,
    declaration_sign,
    review_settings_update,
)
from .decisions import (
    award_from_reserve,
    competition_decide,
    decision_record,
    decisions_from_proposal,
    proposal_from,
    recommendation_record,
    recommendations_from_proposal,
)
from .reviewing import (
    review_reopen,
    review_save_draft,
    review_submit,
    scoring_close,
    scoring_reopen,
)

__all__ = [
    "PlanInputs",
    "Recusal",
    "assignments_apply",
    "assignments_auto",
    "award_from_reserve",
    "commission_member_add",
    "commission_member_remove",
    "commission_member_update",
    "competition_decide",
    "competition_start_review",
    "decision_record",
    "decisions_from_proposal",
    "declaration_sign",
    "declare_conflict",
    "plan_inputs",
    "proposal_from",
    "recommendation_record",
    "recommendations_from_proposal",
    "review_reopen",
    "review_save_draft",
    "review_settings_update",
    "review_submit",
    "scoring_close",
    "scoring_reopen",
]
