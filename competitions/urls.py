from django.urls import path

from . import views

urlpatterns = [
    path("", views.competition_list, name="competition-list"),
    path("<int:pk>/", views.competition_view, name="competition-detail"),
    path("managed/", views.official_competitions, name="official-competitions"),
    path(
        "managed/<int:pk>/applications/",
        views.official_applications,
        name="official-applications",
    ),
    path("managed/<int:pk>/archive/", views.competition_archive, name="competition-archive"),
]
