"""GET /healthz: the probe load balancers and uptime monitors use."""

import json
import logging
import socket

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from tests.manage_process import production_env, run_manage
from tinyforge import health

# Printed by the child process: status code, Cache-Control header, then the body.
PROBE_SCRIPT = """
from django.test import Client
response = Client().get("/healthz")
print(response.status_code)
print(response["Cache-Control"])
print(response.content.decode())
"""


@pytest.fixture
def closed_port():
    """Yield a 127.0.0.1 port that refuses connections: bound, but never listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def outage_log(monkeypatch):
    """Give each test a fresh outage log, so earlier probes do not change what is logged."""
    fresh = health._OutageLog()
    monkeypatch.setattr(health, "_outage_log", fresh)
    return fresh


class BrokenConnection:
    def __init__(self, message):
        self.message = message

    def cursor(self):
        raise OperationalError(self.message)


def probe_with_database_error(monkeypatch, message):
    monkeypatch.setattr(health, "connections", {"default": BrokenConnection(message)})
    return health.healthz(RequestFactory().get("/healthz"))


@pytest.mark.django_db
def test_healthz_ok_with_working_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    admin_response = client.get("/admin/login/")
    assert admin_response.status_code == 301
    assert admin_response["Location"].startswith("https://")


@pytest.mark.django_db
def test_healthz_answers_head(client):
    assert client.head("/healthz").status_code == 200


def test_healthz_rejects_post(client):
    assert client.post("/healthz").status_code == 405


def test_healthz_503_when_database_refuses(closed_port):
    database_url = f"postgres://postgres@127.0.0.1:{closed_port}/tinyforge"
    # SECURE_SSL_REDIRECT keeps its production default (on) here, so this
    # also shows that /healthz is not redirected to https.
    result = run_manage("shell", "--no-imports", "-c", PROBE_SCRIPT, **production_env(
        DATABASE_URL=database_url, ALLOWED_HOSTS="testserver",
    ))
    assert result.returncode == 0, result.stderr

    status, cache_control, body = result.stdout.strip().split("\n", 2)
    assert status == "503"
    assert "no-store" in cache_control
    assert json.loads(body) == {"status": "error", "database": health.DATABASE_UNAVAILABLE_MESSAGE}
    assert str(closed_port) not in body

    log_entries = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    failures = [entry for entry in log_entries if entry["logger"] == "tinyforge.health"]
    assert len(failures) == 1
    assert failures[0]["level"] == "ERROR"
    assert str(closed_port) in failures[0]["error"]


def test_healthz_logs_outage_once_per_error(monkeypatch, outage_log, caplog):
    caplog.set_level(logging.INFO, logger="tinyforge.health")

    for _ in range(3):
        assert probe_with_database_error(monkeypatch, "connection refused").status_code == 503
    assert probe_with_database_error(monkeypatch, "too many clients").status_code == 503

    records = [record for record in caplog.records if record.name == "tinyforge.health"]
    assert [record.levelname for record in records] == ["ERROR", "ERROR"]
    assert records[0].error == "OperationalError: connection refused"
    assert records[0].failed_probes == 1
    assert records[1].error == "OperationalError: too many clients"
    assert records[1].failed_probes == 4


@pytest.mark.django_db
def test_healthz_logs_recovery_with_failure_count(monkeypatch, outage_log, client, caplog):
    caplog.set_level(logging.INFO, logger="tinyforge.health")
    with monkeypatch.context() as patched:
        probe_with_database_error(patched, "connection refused")
        probe_with_database_error(patched, "connection refused")

    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200

    records = [record for record in caplog.records if record.name == "tinyforge.health"]
    assert [record.levelname for record in records] == ["ERROR", "INFO"]
    assert records[1].message == "Health check passed again: SELECT 1 on the database succeeded."
    assert records[1].failed_probes == 2
