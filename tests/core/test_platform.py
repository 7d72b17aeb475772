"""Project-wide facts: migrations are complete, logs are JSON, demo data loads."""

import io
import json
import logging

import pytest
from django.core.management import call_command

from tinyforge.logformat import JsonFormatter
from tinyforge.workloads.models import Workload


@pytest.mark.django_db
def test_models_and_migrations_agree():
    # makemigrations --check exits non-zero (SystemExit) when a migration is missing.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_json_formatter_writes_one_object_with_extras():
    record = logging.LogRecord("tinyforge.git", logging.WARNING, __file__, 1, "fetch %s", ("x",),
                               None)
    record.workload = "shop-api"
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "tinyforge.git"
    assert entry["message"] == "fetch x"
    assert entry["workload"] == "shop-api"


@pytest.mark.django_db
def test_demo_fixture_loads_every_source_type_and_validates():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "Loaded 4 demo workloads." in out.getvalue()
    assert sorted(Workload.objects.values_list("source_type", flat=True)) == [
        "compose", "dockerfile", "image", "static",
    ]
    for workload in Workload.objects.all():
        workload.full_clean()

    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "Workloads exist already; keeping them." in out.getvalue()


@pytest.mark.django_db
def test_ensure_admin_user_prints_password_once(monkeypatch):
    monkeypatch.delenv("TINYFORGE_ADMIN_PASSWORD", raising=False)
    out = io.StringIO()
    call_command("ensure_admin_user", stdout=out)
    assert "Created admin user 'admin' with password: " in out.getvalue()
    out = io.StringIO()
    call_command("ensure_admin_user", stdout=out)
    assert "already exists" in out.getvalue()
    assert "password:" not in out.getvalue()
