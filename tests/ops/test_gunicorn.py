"""Gunicorn with the project's gunicorn.conf.py serves the app and its static files."""

import http.client
import json
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings

from tests.manage_process import production_env, run_manage, subprocess_env

STARTUP_TIMEOUT_SECONDS = 30


def free_port():
    # NOTE: another process could take the port between this close and
    # gunicorn's bind; the test then fails at start-up with "Address in use".
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

    stdout_path = tmp_path / "gunicorn.stdout"
    stderr_path = tmp_path / "gunicorn.stderr"
    with stdout_path.open("w") as stdout, stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
            cwd=settings.BASE_DIR, env=subprocess_env(**env), stdout=stdout, stderr=stderr,
        )
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
