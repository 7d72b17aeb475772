"""The GitOps columns arrive in their own additive, reversible migration."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("workloads", "0001_initial")]
AFTER = [("workloads", "0002_gitops_columns")]
GITOPS_COLUMNS = {"gitops_enabled", "gitops_path", "gitops_synced_at", "gitops_synced_sha"}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def workload_columns():
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, "workloads_workload")
    return {column.name for column in description}


@pytest.mark.django_db(transaction=True)
def test_gitops_columns_migrate_forwards_and_backwards_with_data():
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old_apps = migrate(BEFORE)
        assert not GITOPS_COLUMNS & workload_columns()
        old_apps.get_model("workloads", "Workload").objects.create(
            name="kept", source_type="image", source_config={"image": "nginx:1.27"},
        )

        new_apps = migrate(AFTER)
        assert GITOPS_COLUMNS <= workload_columns()
        row = new_apps.get_model("workloads", "Workload").objects.get(name="kept")
        assert (row.gitops_enabled, row.gitops_path, row.gitops_synced_at,
                row.gitops_synced_sha) == (False, ".tinyforge.yml", None, "")
        assert row.source_config == {"image": "nginx:1.27"}

        back_apps = migrate(BEFORE)
        assert not GITOPS_COLUMNS & workload_columns()
        kept = back_apps.get_model("workloads", "Workload").objects.get(name="kept")
        assert kept.source_config == {"image": "nginx:1.27"}
    finally:
        migrate(leaf)
