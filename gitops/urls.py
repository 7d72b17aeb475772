from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from gitops.api import FileSchemaView, WorkloadViewSet
from tinyforge.events.api import EventLogViewSet

router = DefaultRouter()
router.register("workloads", WorkloadViewSet, basename="workload")
router.register("events", EventLogViewSet, basename="event")

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SpectacularJSONAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("tinyforge.schema.json", FileSchemaView.as_view(), name="tinyforge-file-schema"),
]
