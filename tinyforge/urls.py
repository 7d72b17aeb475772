"""Project URLs: the composition root that mounts the core admin and the GitOps API."""

from django.contrib import admin
from django.urls import include, path

from tinyforge.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("gitops.urls")),
    path("healthz", healthz, name="healthz"),
]
