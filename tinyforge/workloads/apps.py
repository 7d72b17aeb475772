from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkloadsConfig(AppConfig):
    name = "tinyforge.workloads"
    label = "workloads"
    verbose_name = _("Workloads")

    def ready(self):
        from tinyforge.workloads import checks  # noqa: F401  (registers the system checks)
