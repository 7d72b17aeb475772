from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GitopsConfig(AppConfig):
    name = "gitops"
    label = "gitops"
    verbose_name = _("GitOps")
