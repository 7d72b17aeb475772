"""Gunicorn with the project's gunicorn.conf.py serves the app and its static files."""

import http.client
import json
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings

from tests.manage_process import GOOD_KEY, production_env, run_manage, subprocess_env

STARTUP_TIMEOUT_SECONDS = 30
# Gunicorn's exit status when a worker cannot load the app ("Worker failed to boot").
WORKER_BOOT_ERROR = 3
OTHER_KEY = "3Hd0LkQz2rx1hfpQOvUuY3tM9yq0pWQm0oNQ8kN9Z1c="


def free_port():
    # NOTE: another process could take the port between this close and
    # gunicorn's bind. The test then fails at start-up ("Connection in use").
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def wait_until_serving(process, port, stderr_path):
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{stderr_path.read_text()}")
        try:
            return get(port, "/healthz")
        except OSError:
            time.sleep(0.2)
    pytest.fail(
        f"gunicorn did not answer on 127.0.0.1:{port} within {STARTUP_TIMEOUT_SECONDS} s:\n"
        f"{stderr_path.read_text()}"
    )


def start_gunicorn(env, tmp_path):
    """Start gunicorn with the project's config; return the process and its log paths."""
    stdout_path = tmp_path / "gunicorn.stdout"
    stderr_path = tmp_path / "gunicorn.stderr"
    with stdout_path.open("w") as stdout, stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=settings.BASE_DIR, env=subprocess_env(**env), stdout=stdout, stderr=stderr,
        )
    return process, stdout_path, stderr_path


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def server_env(tmp_path):
    port = free_port()
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'tinyforge.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        SECURE_SSL_REDIRECT="off",
        ALLOWED_HOSTS="127.0.0.1",
        TINYFORGE_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        TINYFORGE_THREADS="2",
    )
    return port, env


@pytest.mark.slow
def test_gunicorn_serves_healthz_and_static(tmp_path, server_env):
    port, env = server_env
    collected = run_manage("collectstatic", "--noinput", **env)
    assert collected.returncode == 0, collected.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    hashed_base_css = manifest["paths"]["admin/css/base.css"]

    process, stdout_path, stderr_path = start_gunicorn(env, tmp_path)
    try:
        status, headers, body = wait_until_serving(process, port, stderr_path)
        assert status == 200
        assert json.loads(body) == {"status": "ok", "database": "ok"}

        status, headers, body = get(
            port, "/static/admin/css/base.css", headers={"Accept-Encoding": "gzip"}
        )
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert headers["Content-Encoding"] == "gzip"

        status, headers, body = get(port, f"/static/{hashed_base_css}")
        assert status == 200
        assert "immutable" in headers["Cache-Control"]
    finally:
        stop(process)

    assert process.returncode == 0
    assert stdout_path.read_text() == ""
    log_entries = [json.loads(line) for line in stderr_path.read_text().splitlines()]
    access_messages = [
        entry["message"] for entry in log_entries if entry["logger"] == "gunicorn.access"
    ]
    assert any('"GET /healthz HTTP/1.1" 200' in message for message in access_messages)
    assert any(f'"GET /static/{hashed_base_css} HTTP/1.1" 200' in message
               for message in access_messages)


@pytest.mark.slow
def test_gunicorn_refuses_undecryptable_secrets(tmp_path, server_env):
    _port, env = server_env
    migrated = run_manage("migrate", "--noinput", **env)
    assert migrated.returncode == 0, migrated.stderr
    created = run_manage("shell", "--no-imports", "-c", (
        "from tinyforge.workloads.models import Workload\n"
        "Workload.objects.create(name='app', source_type='image',\n"
        "    source_config={'image': 'nginx:1.27'}, repo_token='token-under-other-key')\n"
    ), **{**env, "TINYFORGE_ENCRYPTION_KEYS": OTHER_KEY})
    assert created.returncode == 0, created.stderr

    process, _stdout_path, stderr_path = start_gunicorn(
        {**env, "TINYFORGE_ENCRYPTION_KEYS": GOOD_KEY}, tmp_path
    )
    try:
        process.wait(timeout=STARTUP_TIMEOUT_SECONDS)
    finally:
        if process.poll() is None:
            stop(process)

    assert process.returncode == WORKER_BOOT_ERROR
    stderr = stderr_path.read_text()
    assert (
        "1 stored value(s) in workloads.Workload.repo_token cannot be decrypted with any key in "
        "TINYFORGE_ENCRYPTION_KEYS." in stderr
    )
    assert "token-under-other-key" not in stderr
