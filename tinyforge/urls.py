"""Project URLs: the composition root that mounts the core admin and the GitOps API."""

from django.contrib import admin
from django.urls import include, path

from tinyforge.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    # set_language: the admin header's language switcher posts here.
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("gitops.urls")),
    path("healthz", healthz, name="healthz"),
]
