import pytest
from django.contrib.auth.models import Permission
from guardian.shortcuts import assign_perm

DRIFTED = """\
version: 1
deploy:
  port: 9090
  max_instances: 3
"""

IN_SYNC = """\
version: 1
deploy:
  port: 8080
  healthcheck: /healthz
"""

INVALID = """\
version: 1
deploy:
  port: 8080
  max_instances: 500
"""


@pytest.fixture(autouse=True)
def _gitops_environment(allow_file_urls, clear_cache):
    """Let tests read file:// repositories and start from an empty status cache."""


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("root", password="pw")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def staff_client(client, django_user_model):
    """Log in a staff user who may view and change workloads, plus the given grants."""

    def factory(global_perms=(), object_perms=()):
        user = django_user_model.objects.create_user("staff", password="pw", is_staff=True)
        for codename in ("view_workload", "change_workload", *global_perms):
            user.user_permissions.add(Permission.objects.get(codename=codename))
        for codename, workload in object_perms:
            assign_perm(f"workloads.{codename}", user, workload)
        client.force_login(user)
        return client

    return factory
