"""Pages of the formal check, the commission, scoring, ranking and decisions.

The formal check's views live with the applications (`applications.views.formal`);
their addresses are here, beside the rest of the operator's review work.
"""

from django.urls import path

from applications.views import formal

from .views import applicant, commission, member, results

urlpatterns = [
    # The formal check (officials) and its findings (the applying group).
    path(
        "formal-check/competitions/<int:pk>/",
        formal.formal_check_list,
        name="formal-check-list",
    ),
    path("formal-check/applications/<int:pk>/", formal.formal_check, name="formal-check"),
    path(
        "formal-check/applications/<int:pk>/accept/",
        formal.formal_accept,
        name="formal-accept",
    ),
    path(
        "formal-check/applications/<int:pk>/correction/",
        formal.formal_correction,
        name="formal-correction",
    ),
    path(
        "formal-check/applications/<int:pk>/reject/",
        formal.formal_reject,
        name="formal-reject",
    ),
    path(
        "applications/<int:pk>/formal-findings/",
        formal.application_formal_findings,
        name="application-formal-findings",
    ),
    path(
        "applications/<int:pk>/reviews/",
        applicant.application_reviews,
        name="application-reviews",
    ),
    # A member's own work.
    path("commission/", member.dashboard, name="commission-dashboard"),
    path("commission/<int:pk>/declaration/", member.declaration, name="declaration"),
    path("commission/reviews/<int:pk>/", member.review_score, name="review-score"),
    path("commission/reviews/<int:pk>/submit/", member.review_submit, name="review-submit"),
    path(
        "commission/reviews/<int:pk>/conflict/",
        member.review_conflict,
        name="review-conflict",
    ),
    path(
        "commission/applications/<int:pk>/",
        member.member_application,
        name="member-application",
    ),
    path(
        "commission/applications/<int:pk>/attachments/<int:attachment_pk>/",
        member.member_attachment,
        name="member-attachment-download",
    ),
    # Forming the commission and assigning (officials).
    path("commission/<int:pk>/members/", commission.commission_manage, name="commission-manage"),
    path(
        "commission/<int:pk>/members/<int:member_pk>/",
        commission.commission_member_update,
        name="commission-member-update",
    ),
    path(
        "commission/<int:pk>/members/<int:member_pk>/remove/",
        commission.commission_member_remove,
        name="commission-member-remove",
    ),
    path(
        "commission/<int:pk>/settings/",
        commission.review_settings_update,
        name="review-settings",
    ),
    path("commission/<int:pk>/start/", commission.review_start, name="review-start"),
    path("commission/<int:pk>/assignments/", commission.assignments, name="assignments"),
    path(
        "commission/<int:pk>/assignments/auto/",
        commission.assignments_auto,
        name="assignments-auto",
    ),
    path(
        "commission/<int:pk>/assignments/manual/",
        commission.assignments_manual,
        name="assignments-manual",
    ),
    # Following and closing the scoring.
    path("commission/<int:pk>/progress/", results.progress, name="review-progress"),
    path("commission/reviews/<int:pk>/reopen/", results.review_reopen, name="review-reopen"),
    path("commission/<int:pk>/scoring/close/", results.scoring_close, name="scoring-close"),
    path("commission/<int:pk>/scoring/reopen/", results.scoring_reopen, name="scoring-reopen"),
    # Results, recommendation and decisions.
    path("commission/<int:pk>/ranking/", results.ranking, name="ranking"),
    path("commission/<int:pk>/panel/", member.panel, name="scoring-panel"),
    path(
        "commission/<int:pk>/recommendations/",
        results.recommendations,
        name="recommendations",
    ),
    path(
        "commission/<int:pk>/recommendations/adopt/",
        results.recommendations_adopt,
        name="recommendations-adopt",
    ),
    path("commission/<int:pk>/decisions/", results.decisions, name="decisions"),
    path(
        "commission/<int:pk>/decisions/remaining/",
        results.decisions_remaining,
        name="decisions-remaining",
    ),
    path(
        "commission/<int:pk>/decisions/fill/",
        results.decisions_fill,
        name="decisions-fill",
    ),
    path("commission/<int:pk>/decide/", results.competition_decide, name="competition-decide"),
]
