"""The REST API of groups and applications (`config.api_urls` routes it)."""

from .groups import ApplicantGroupViewSet
from .views import (
    ApplicationViewSet,
    AttachmentViewSet,
    BudgetLineViewSet,
    IndicatorViewSet,
    ScheduleItemViewSet,
    SnapshotViewSet,
)

__all__ = [
    "ApplicantGroupViewSet",
    "ApplicationViewSet",
    "AttachmentViewSet",
    "BudgetLineViewSet",
    "IndicatorViewSet",
    "ScheduleItemViewSet",
    "SnapshotViewSet",
]
