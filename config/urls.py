from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("config.api_urls")),
    path("", include("core.urls")),
    path("competitions/", include("competitions.urls")),
    path("", include("applications.urls")),
    path("", include("reviews.urls")),
    path("", include("payouts.urls")),
    path("", include("worker.urls")),
    path("", include("worker.exports.urls")),
]
