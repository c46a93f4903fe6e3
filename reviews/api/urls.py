"""Routes of the formal check, the commission, the reviews and the results,
relative to `/api/v1/`."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from applications.api.formal import urlpatterns as formal_urlpatterns

from . import commission, results, reviewing

router = SimpleRouter()
router.register("reviews", reviewing.ReviewViewSet, basename="review")
router.register(
    r"competitions/(?P<competition_pk>[0-9]+)/commission",
    commission.CommissionViewSet,
    basename="competition-commission",
)

COMPETITION = "competitions/<int:competition_pk>/"

urlpatterns = [
    *formal_urlpatterns,
    path(
        "applications/<int:pk>/reviews/",
        reviewing.ApplicantReviewsView.as_view(),
        name="application-reviews",
    ),
    *router.urls,
    path(
        f"{COMPETITION}declaration/",
        commission.DeclarationView.as_view(),
        name="competition-declaration",
    ),
    path(
        f"{COMPETITION}assignments/",
        reviewing.AssignmentListView.as_view(),
        name="competition-assignments",
    ),
    path(
        f"{COMPETITION}assignments/preview/",
        reviewing.AssignmentPreviewView.as_view(),
        name="competition-assignments-preview",
    ),
    path(
        f"{COMPETITION}assignments/apply/",
        reviewing.AssignmentApplyView.as_view(),
        name="competition-assignments-apply",
    ),
    path(f"{COMPETITION}progress/", reviewing.ProgressView.as_view(), name="competition-progress"),
    path(f"{COMPETITION}scoring/", results.ScoringView.as_view(), name="competition-scoring"),
    path(
        f"{COMPETITION}scoring/transitions/<str:name>/",
        results.ScoringTransitionView.as_view(),
        name="competition-scoring-transitions",
    ),
    path(f"{COMPETITION}ranking/", results.RankingView.as_view(), name="competition-ranking"),
    path(f"{COMPETITION}panel/", results.PanelView.as_view(), name="competition-panel"),
    path(
        f"{COMPETITION}funding-line/",
        results.FundingLineView.as_view(),
        name="competition-funding-line",
    ),
    path(
        f"{COMPETITION}recommendations/",
        results.RecommendationView.as_view(),
        name="competition-recommendations",
    ),
    path(
        f"{COMPETITION}recommendations/from-proposal/",
        results.RecommendationsFromProposalView.as_view(),
        name="competition-recommendations-from-proposal",
    ),
    path(
        f"{COMPETITION}decisions/",
        results.DecisionsView.as_view(),
        name="competition-decisions",
    ),
    path(
        f"{COMPETITION}decisions/from-proposal/",
        results.DecisionsFromProposalView.as_view(),
        name="competition-decisions-from-proposal",
    ),
]
