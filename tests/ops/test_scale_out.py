"""Two gunicorn servers on one PostgreSQL database and one Redis cache lose no update.

Syncs through both servers race with API edits of a field the file does not
manage. The row lock must serialize them: the managed fields end up as the
file declares, the unmanaged field keeps the last edit, and every sync that
returned 200 is in the audit log exactly once.

The test creates its own database and drops it. Every Redis key it writes
carries a prefix of its own, and it deletes those keys at the end. It is
skipped when PostgreSQL on 127.0.0.1:5432 or Redis on 127.0.0.1:6379 cannot
be reached.
"""

import json
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.conftest import GitRepo
from tests.manage_process import production_env, run_manage
from tests.ops.test_gunicorn import free_port, start_gunicorn, stop, wait_until_serving

psycopg = pytest.importorskip("psycopg")
redis = pytest.importorskip("redis")

POSTGRES_URL = os.environ.get("TINYFORGE_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("TINYFORGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SYNC_REQUESTS = 20
EDIT_REQUESTS = 10
FILE_TEXT = "version: 1\ndeploy:\n  port: 9090\n  max_instances: 3\n"
LIVE_CONFIG = {
    "provider": "git", "branch": "main", "dockerfile_path": "Dockerfile", "build_context": ".",
    "port": 8080, "healthcheck": "/healthz", "max_instances": 1,
}

# Creates the superuser, its token and the workload; prints their ids as JSON.
SETUP_SCRIPT = """
import json
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from gitops import services
from tinyforge.workloads.models import Workload

user = get_user_model().objects.create_superuser("root", password="unused-password")
workload = Workload.objects.create(name="app", source_type="dockerfile",
                                   source_config=json.loads({config!r}))
services.configure_gitops(workload, actor="test", enabled=True)
print(json.dumps({{"token": Token.objects.create(user=user).key, "workload": workload.pk}}))
"""


@pytest.fixture
def postgres_database():
    """Create an empty database for the servers, and drop it afterwards."""
    name = f"tinyforge_scaleout_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is unreachable: {error}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{POSTGRES_URL}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_prefix():
    """Return a cache key prefix of this test's own, and delete its keys afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis at {REDIS_URL} is unreachable: {error}")
    prefix = f"tinyforge-scaleout-{uuid.uuid4().hex[:12]}"
    try:
        yield prefix
    finally:
        for key in client.scan_iter(match=f"{prefix}:*", count=1000):
            client.delete(key)
        client.close()


def read_state(database_url, workload_id):
    with psycopg.connect(database_url) as connection:
        config = connection.execute(
            "SELECT source_config FROM workloads_workload WHERE id = %s", [workload_id]
        ).fetchone()[0]
        events = connection.execute("SELECT action, details FROM events_eventlog").fetchall()
    return config, [(action, details) for action, details in events]


@pytest.mark.slow
def test_concurrent_syncs_and_edits_lose_nothing(tmp_path, postgres_database, redis_prefix):
    repo = GitRepo(tmp_path / "repo")
    repo.commit({".tinyforge.yml": FILE_TEXT})
    ports = [free_port(), free_port()]
    env = production_env(
        DATABASE_URL=postgres_database,
        CACHE_URL=REDIS_URL,
        TINYFORGE_CACHE_PREFIX=redis_prefix,
        TINYFORGE_GIT_ALLOW_FILE_URLS="on",
        SECURE_SSL_REDIRECT="off",
        ALLOWED_HOSTS="127.0.0.1",
        WEB_CONCURRENCY="2",
        TINYFORGE_THREADS="4",
    )
    migrated = run_manage("migrate", "--noinput", **env)
    assert migrated.returncode == 0, migrated.stderr
    created = run_manage("shell", "--no-imports", "-c", SETUP_SCRIPT.format(
        config=json.dumps({**LIVE_CONFIG, "repo_url": repo.url}),
    ), **env)
    assert created.returncode == 0, created.stderr
    setup = json.loads(created.stdout.strip().splitlines()[-1])

    servers = []
    try:
        for number, port in enumerate(ports):
            log_dir = tmp_path / f"server-{number}"
            log_dir.mkdir()
            process, _stdout_path, stderr_path = start_gunicorn(
                {**env, "TINYFORGE_BIND": f"127.0.0.1:{port}"}, log_dir)
            servers.append(process)
            wait_until_serving(process, port, stderr_path)

        local = threading.local()

        def send(method, number, suffix="", body=None):
            session = getattr(local, "session", None)
            if session is None:
                session = local.session = requests.Session()
                session.trust_env = False
            url = (f"http://127.0.0.1:{ports[number % 2]}/api/v1/workloads/"
                   f"{setup['workload']}/{suffix}")
            response = session.request(method, url, json=body or {}, timeout=60,
                                       headers={"Authorization": f"Token {setup['token']}"})
            return response.status_code, response.text

        with ThreadPoolExecutor(max_workers=8) as pool:
            syncs = [pool.submit(send, "POST", number, "gitops/sync/")
                     for number in range(SYNC_REQUESTS)]
            # The edits go one after another, so the last one sent is the last edit.
            edits = [send("PATCH", number, body={
                "source_config": {"dockerfile_path": f"Dockerfile.{number}"}})
                for number in range(EDIT_REQUESTS)]
            sync_results = [future.result() for future in syncs]
    finally:
        for process in servers:
            stop(process)

    config, events = read_state(postgres_database, setup["workload"])
    synced = [details for action, details in events if action == "gitops.synced"]
    assert [status for status, _text in edits] == [200] * EDIT_REQUESTS, edits
    assert [status for status, _text in sync_results] == [200] * SYNC_REQUESTS, sync_results
    assert config["port"] == 9090
    assert config["max_instances"] == 3
    assert config["dockerfile_path"] == f"Dockerfile.{EDIT_REQUESTS - 1}"
    assert config["healthcheck"] == "/healthz"
    assert len(synced) == SYNC_REQUESTS
    assert [action for action, _details in events if action == "gitops.sync_failed"] == []
    # Only the first sync changes anything. An edit that wrote back a config
    # read before that sync would undo it, and a later sync would change the
    # managed fields a second time.
    assert [details["changes"] for details in synced if details["changes"]] == [[
        {"field": "port", "before": 8080, "after": 9090},
        {"field": "max_instances", "before": 1, "after": 3},
    ]]
