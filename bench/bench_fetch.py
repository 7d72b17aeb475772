"""Measure what reading .tinyforge.yml costs, against servers on 127.0.0.1.

1. An unchanged re-check: the GitHub provider resolves a branch twice
   against a loopback imitation of the commits endpoint; the second request
   carries If-None-Match and gets a 304 response. Requests and body bytes are
   counted by the server.
2. The git provider against a full clone: a repository with 2,000 commits and
   tens of MB of incompressible blobs, made under var/bench/ with git
   fast-import, is served by git http-backend. Each round clears the cache,
   resolves the branch and reads one file, then runs ``git clone --bare`` of
   the same repository; the server counts the response body bytes of each.

Run: .venv/bin/python bench/bench_fetch.py [--rounds N]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.test import override_settings  # noqa: E402

from tests.git.servers import git_server, http_server  # noqa: E402
from tinyforge.git import get_provider  # noqa: E402

BENCH_DIR = BASE_DIR / "var" / "bench"
COMMITS = 2000
BLOB_BYTES = 32_768
ROTATING_FILES = 64
SHA = "0123456789abcdef0123456789abcdef01234567"


def git_environment(home: str) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": home, "GIT_CONFIG_NOSYSTEM": "1",
            "LANG": "C"}


def measure_recheck() -> dict:
    """Resolve a branch twice; return the second check's request count and body bytes."""

    def commits(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.send_body(304, b"", {"ETag": '"v1"'})
        else:
            handler.send_body(200, SHA.encode(), {
                "ETag": '"v1"', "Content-Type": "application/vnd.github.sha",
            })

    cache.clear()
    with http_server(commits) as server:
        url = f"http://127.0.0.1:{server.port}/acme/app"
        get_provider("github", url, "bench-token").resolve_ref("main")
        requests_before, bytes_before = len(server.requests), server.bytes_sent
        started = time.perf_counter()
        sha = get_provider("github", url, "bench-token").resolve_ref("main")
        elapsed = time.perf_counter() - started
        return {
            "sha_matches": sha == SHA,
            "requests": len(server.requests) - requests_before,
            "body_bytes": server.bytes_sent - bytes_before,
            "seconds": elapsed,
        }


def make_repository(path: Path) -> None:
    """Write a bare repository with COMMITS commits through git fast-import."""
    if (path / "bench-complete").exists():
        return
    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    env = git_environment(str(path.parent))
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(path)], env=env, check=True)
    importer = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=path, env=env,
                                stdin=subprocess.PIPE)
    write = importer.stdin.write
    for number in range(1, COMMITS + 1):
        message = f"Commit {number}\n".encode()
        write(b"commit refs/heads/main\n")
        write(b"committer Bench <bench@example.com> %d +0000\n" % (1_700_000_000 + number))
        # Without a "from" line, fast-import continues the branch's own history.
        write(b"data %d\n%s" % (len(message), message))
        blob = os.urandom(BLOB_BYTES)
        write(b"M 100644 inline data/file-%03d.bin\n" % (number % ROTATING_FILES))
        write(b"data %d\n%s\n" % (len(blob), blob))
        config = f"version: 1\ndeploy:\n  max_instances: {number % 100 + 1}\n".encode()
        write(b"M 100644 inline .tinyforge.yml\n")
        write(b"data %d\n%s\n" % (len(config), config))
    importer.stdin.close()
    if importer.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "repack", "-adq"], cwd=path, env=env, check=True)
    subprocess.run(["git", "config", "uploadpack.allowFilter", "true"], cwd=path, env=env,
                   check=True)
    (path / "bench-complete").touch()


def measure_git(server, rounds: int) -> dict:
    provider_runs, clone_runs = [], []
    url = f"{server.url}/large.git"
    for _ in range(rounds):
        cache.clear()
        before = server.bytes_sent
        started = time.perf_counter()
        provider = get_provider("git", url)
        content = provider.download_file(".tinyforge.yml", provider.resolve_ref("main"))
        provider_runs.append((time.perf_counter() - started, server.bytes_sent - before))
        assert content.startswith(b"version: 1")

        with tempfile.TemporaryDirectory() as home:
            before = server.bytes_sent
            started = time.perf_counter()
            subprocess.run(["git", "clone", "-q", "--bare", url, f"{home}/clone.git"],
                           env=git_environment(home), check=True)
            clone_runs.append((time.perf_counter() - started, server.bytes_sent - before))
    return {
        "provider_seconds": statistics.median(run[0] for run in provider_runs),
        "provider_bytes": statistics.median(run[1] for run in provider_runs),
        "clone_seconds": statistics.median(run[0] for run in clone_runs),
        "clone_bytes": statistics.median(run[1] for run in clone_runs),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds per measurement (median)")
    arguments = parser.parse_args()

    with override_settings(TINYFORGE_GIT_ALLOWED_HOSTS=["127.0.0.1"]):
        recheck = measure_recheck()
        print(f"unchanged re-check: {recheck['requests']} request(s), "
              f"{recheck['body_bytes']} body bytes, {recheck['seconds'] * 1000:.1f} ms, "
              f"SHA matches: {recheck['sha_matches']}")

        repository = BENCH_DIR / "large.git"
        started = time.perf_counter()
        make_repository(repository)
        size = sum(f.stat().st_size for f in repository.rglob("*") if f.is_file())
        print(f"repository: {COMMITS} commits, {size / 1e6:.1f} MB on disk "
              f"(ready in {time.perf_counter() - started:.1f} s)")
        with git_server(str(BENCH_DIR)) as server:
            result = measure_git(server, arguments.rounds)

    bytes_ratio = result["clone_bytes"] / max(result["provider_bytes"], 1)
    speedup = result["clone_seconds"] / result["provider_seconds"]
    print(f"git provider, one file: {result['provider_seconds']:.3f} s, "
          f"{result['provider_bytes']:,.0f} bytes (median of {arguments.rounds})")
    print(f"git clone --bare:       {result['clone_seconds']:.3f} s, "
          f"{result['clone_bytes']:,.0f} bytes (median of {arguments.rounds})")
    print(f"ratio: {bytes_ratio:.0f}x fewer bytes, {speedup:.1f}x faster")
    passed = (recheck["requests"] == 1 and recheck["body_bytes"] == 0
              and bytes_ratio >= 20 and speedup >= 5)
    print("targets met" if passed else "targets NOT met")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
