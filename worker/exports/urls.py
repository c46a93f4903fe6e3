from django.urls import path

from . import views

urlpatterns = [
    # The official's exports of one competition.
    path(
        "exports/competitions/<int:pk>/",
        views.competition_exports,
        name="competition-exports",
    ),
    path(
        "exports/competitions/<int:pk>/decisions.xlsx",
        views.export_decisions,
        name="export-decisions",
    ),
    path(
        "exports/competitions/<int:pk>/scoring-matrix.xlsx",
        views.export_scoring_matrix,
        name="export-scoring-matrix",
    ),
    path(
        "exports/competitions/<int:pk>/formal-check.xlsx",
        views.export_formal,
        name="export-formal",
    ),
    path(
        "exports/competitions/<int:pk>/grants.xlsx",
        views.export_grants,
        name="export-grants",
    ),
    path("exports/competitions/<int:pk>/minutes/", views.minutes, name="minutes"),
    # Background exports.
    path("exports/<int:pk>/", views.export_status, name="export-status"),
    path("exports/<int:pk>/download/", views.export_download, name="export-download"),
    # The public results, without logging in.
    path("results/<int:pk>/", views.public_results, name="public-results"),
    path("results/<int:pk>/results.csv", views.public_results_csv, name="public-results-csv"),
    path("results/<int:pk>/results.json", views.public_results_json, name="public-results-json"),
    path(
        "results/<int:pk>/360giving.json",
        views.public_results_360giving,
        name="public-results-360giving",
    ),
]
