"""The REST API under /api/v1/, its OpenAPI schema and docs."""

urlpatterns = []
