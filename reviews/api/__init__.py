"""The REST API of the formal check, the commission, the reviews and the
results: `urlpatterns` relative to `/api/v1/`. The competition's `start_review`
and `decide` and the application's formal-check transitions run through the
competitions' and applications' own transition endpoints."""

from .urls import urlpatterns

__all__ = ["urlpatterns"]
