"""Count the SQL queries of the workload API and time the GitOps status endpoint.

Run from the repository root: ``.venv/bin/python bench/bench_api.py``.
Requests go through Django's test client in this process, with DRF token
authentication as a superuser, against a throwaway SQLite database and the
per-process (locmem) cache. ``bench/fake_forge.py`` runs in a child process
and responds without delay, so the timings are Tinyforge's own work plus one
loopback round trip. That is the branch request, answered 304 once the ETag
is cached, because the file then comes from the content cache.

It prints a Markdown table: queries per request, and the median server time
of ``GET /api/v1/workloads/{id}/gitops/`` over ``--requests`` requests.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchenv import TOKEN, create_workloads, settings_environment, setup_django
from fake_forge import ForgeProcess

TARGET_STATUS_QUERIES = 4
TARGET_STATUS_MS = 10
LIST_SIZES = (10, 1000)


def count_queries(client, url: str) -> int:
    """Return the queries of one GET request, after a first one that fills per-process caches."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} returned {response.status_code}: {response.content[:500]!r}")
    return len(queries)


def time_requests(client, url: str, count: int) -> float:
    """Return the median milliseconds of ``count`` GET requests to ``url``."""
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} returned {response.status_code}")
    return statistics.median(timings)


def make_client():
    from django.contrib.auth import get_user_model
    from django.test import Client
    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.create_superuser("bench", password="unused-password")
    token = Token.objects.create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the workload API.")
    parser.add_argument("--requests", type=int, default=200,
                        help="Timed requests to the GitOps status endpoint (default: 200).")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tinyforge-bench-") as directory, \
            ForgeProcess(0.0, TOKEN) as forge:
        static_root = Path(directory) / "static"
        static_root.mkdir()
        setup_django(settings_environment(Path(directory) / "bench.sqlite3",
                                          ALLOWED_HOSTS="testserver",
                                          STATIC_ROOT=str(static_root)))
        from tinyforge.workloads.models import Workload

        client = make_client()
        rows = []
        for size in LIST_SIZES:
            create_workloads(forge.url, size - Workload.objects.count(),
                             start=Workload.objects.count())
            for url in ("/api/v1/workloads/", "/api/v1/workloads/?limit=1000"):
                rows.append((f"`GET {url}`, {size} workloads", count_queries(client, url),
                             "", "the same for 10 and 1,000"))

        status_url = f"/api/v1/workloads/{Workload.objects.order_by('pk').first().pk}/gitops/"
        queries = count_queries(client, status_url)
        median = time_requests(client, status_url, options.requests)
        rows.insert(0, ("`GET /api/v1/workloads/{id}/gitops/`", queries,
                        f"{median:.2f} ms",
                        f"<= {TARGET_STATUS_QUERIES} queries, < {TARGET_STATUS_MS} ms"))

    print(f"Median of {options.requests} requests; token authentication as a superuser.\n")
    print("| request | SQL queries | median server time | target |")
    print("|---|---:|---:|---|")
    for name, query_count, timing, target in rows:
        print(f"| {name} | {query_count} | {timing} | {target} |")


if __name__ == "__main__":
    main()
