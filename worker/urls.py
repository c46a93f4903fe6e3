from django.urls import path

from . import views

urlpatterns = [
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/read/", views.notice_read, name="notice-read"),
    path("notices/read-all/", views.notices_read_all, name="notices-read-all"),
    path("notices/preferences/", views.notice_preferences, name="notice-preferences"),
    path(
        "competitions/managed/<int:competition_pk>/reminders/",
        views.competition_reminders,
        name="competition-reminders",
    ),
]
