"""The REST API of grants, tranches and reports (`config.api_urls` routes it)."""

from .grants import GrantViewSet
from .payments import PaymentViewSet
from .reports import ReportAttachmentViewSet, ReportViewSet

__all__ = ["GrantViewSet", "PaymentViewSet", "ReportAttachmentViewSet", "ReportViewSet"]
