from django.contrib import admin
from django.urls import path

from tinyforge.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
