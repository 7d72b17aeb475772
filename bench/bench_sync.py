"""Time ``manage.py gitops_sync --all --check`` against a slow forge, and its peak memory.

Run from the repository root: ``.venv/bin/python bench/bench_sync.py``. It
needs Redis (``BENCH_REDIS_URL``, default ``redis://127.0.0.1:6379/0``) as the
cache that keeps ETags and file contents between two runs of the command.
Every key it writes carries a prefix of its own and is deleted at the end,
so nothing else in that Redis database is touched.

The forge is ``bench/fake_forge.py`` in a child process, which answers each
request after ``--delay`` seconds (50 ms by default). Each round measures:

- the floor: a bare ``ThreadPoolExecutor(16)`` sending the same requests
  with plain ``requests`` (one session per thread, so keep-alive connections);
- ``gitops_sync --all --check --jobs 16`` with an empty cache (cold);
- the same command again with the cache it filled (warm): one request per
  workload, answered 304;
- ``gitops_sync --all --check --jobs 1`` with an empty cache.

The forge counts the requests of each run, and the script stops with an
error when the command sends other requests than the floor. Then it adds
workloads up to ``--memory-workloads`` and records the peak RSS of the
command (``ru_maxrss`` of that child process, from ``os.wait4``).

It prints a Markdown table of medians over ``--rounds`` rounds.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import redis
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchenv import (
    REPO_ROOT,
    TOKEN,
    create_workloads,
    manage_command,
    settings_environment,
    setup_django,
)
from fake_forge import FILE_PATH, ForgeProcess

JOBS = 16
TARGET_FLOOR_RATIO = 1.3
TARGET_SPEEDUP = 10
TARGET_PEAK_MIB = 300


@dataclass
class CommandRun:
    seconds: float
    requests: int
    not_modified: int
    max_rss_kib: int
    summary: str


@dataclass
class Samples:
    """The runs of one case across rounds."""

    runs: list = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in self.runs)


def run_command(args: list[str], env: dict[str, str], forge: ForgeProcess) -> CommandRun:
    """Run a manage.py command to the end; return its wall time, forge counts and peak RSS."""
    forge.reset()
    with tempfile.TemporaryFile("w+") as output:
        started = time.perf_counter()
        process = subprocess.Popen(manage_command(*args), env=env, cwd=REPO_ROOT,
                                   stdout=output, stderr=subprocess.STDOUT, text=True)
        # os.wait4 reports the resource use of this one child, so the forge's
        # memory never mixes into the figure.
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(args)} exited with {process.returncode}:\n{text[-3000:]}")
    counts = forge.stats()
    summary = text.rstrip().rsplit("\n", 1)[-1]
    return CommandRun(seconds, counts["requests"], counts["status_304"], usage.ru_maxrss, summary)


def floor_run(repo_urls: list[str], forge: ForgeProcess) -> CommandRun:
    """Send the requests of a cold check from a bare thread pool, with plain requests."""
    local = threading.local()
    headers = {"Authorization": f"token {TOKEN}"}

    def check(repo_url: str) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
            session.trust_env = False
        _origin, owner, repo = repo_url.rsplit("/", 2)
        api = f"{forge.url}/api/v1/repos/{owner}/{repo}"
        branch = session.get(f"{api}/branches/main", timeout=30,
                             headers={**headers, "Accept": "application/json"})
        branch.raise_for_status()
        sha = branch.json()["commit"]["id"]
        file = session.get(f"{api}/raw/{FILE_PATH}", params={"ref": sha}, timeout=30,
                           headers={**headers, "Accept": "*/*"})
        file.raise_for_status()

    forge.reset()
    started = time.perf_counter()
    with ThreadPoolExecutor(JOBS) as pool:
        for _ in pool.map(check, repo_urls):
            pass
    seconds = time.perf_counter() - started
    counts = forge.stats()
    return CommandRun(seconds, counts["requests"], counts["status_304"], 0, "")


class CachePrefixes:
    """Hand out a fresh cache key prefix per cold run, and delete every key they wrote."""

    def __init__(self, redis_url: str):
        self.client = redis.Redis.from_url(redis_url)
        self.client.ping()
        self.base = f"tinyforge-bench-{uuid.uuid4().hex[:12]}"
        self.count = 0

    def fresh(self) -> str:
        self.count += 1
        return f"{self.base}-{self.count}"

    def delete_all(self) -> None:
        for key in self.client.scan_iter(match=f"{self.base}-*", count=1000):
            self.client.delete(key)
        self.client.close()


def check_args(jobs: int) -> list[str]:
    return ["gitops_sync", "--all", "--check", "--jobs", str(jobs)]


def require(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"bench_sync: {message}")


def measure_speed(options, env, forge, prefixes, repo_urls) -> dict[str, Samples]:
    cases = {name: Samples() for name in ("floor", "cold", "warm", "serial")}
    count = len(repo_urls)
    for round_number in range(1, options.rounds + 1):
        floor = floor_run(repo_urls, forge)
        cases["floor"].runs.append(floor)

        cache_env = {**env, "TINYFORGE_CACHE_PREFIX": prefixes.fresh()}
        cold = run_command(check_args(JOBS), cache_env, forge)
        require(cold.requests == floor.requests,
                f"the command sent {cold.requests} requests, the floor {floor.requests}")
        cases["cold"].runs.append(cold)

        warm = run_command(check_args(JOBS), cache_env, forge)
        require(warm.requests == count and warm.not_modified == count,
                f"the warm run sent {warm.requests} requests with {warm.not_modified} answered "
                f"304, expected {count} of each")
        cases["warm"].runs.append(warm)

        if round_number <= options.serial_rounds:
            serial_env = {**env, "TINYFORGE_CACHE_PREFIX": prefixes.fresh()}
            cases["serial"].runs.append(run_command(check_args(1), serial_env, forge))
        print(f"round {round_number}: floor {floor.seconds:.2f} s, cold {cold.seconds:.2f} s, "
              f"warm {warm.seconds:.2f} s ({cold.summary})", file=sys.stderr)
    return cases


def measure_memory(options, env, forge, prefixes) -> Samples:
    memory = Samples()
    for _ in range(options.rounds):
        cache_env = {**env, "TINYFORGE_CACHE_PREFIX": prefixes.fresh()}
        memory.runs.append(run_command(check_args(JOBS), cache_env, forge))
        print(f"memory: {memory.runs[-1].max_rss_kib / 1024:.0f} MiB in "
              f"{memory.runs[-1].seconds:.1f} s ({memory.runs[-1].summary})", file=sys.stderr)
    return memory


def print_table(options, cases: dict[str, Samples], memory: Samples | None) -> None:
    floor, cold = cases["floor"].median("seconds"), cases["cold"].median("seconds")
    warm = cases["warm"].median("seconds")
    count = options.workloads
    per_workload = cases["cold"].median("requests") / count
    print(f"{count} workloads, forge delay {options.delay * 1000:.0f} ms, "
          f"{options.rounds} rounds ({options.serial_rounds} of --jobs 1); medians.\n")
    print("| case | median | requests | target |")
    print("|---|---:|---:|---|")
    print(f"| floor: ThreadPoolExecutor({JOBS}) + requests | {floor:.2f} s | "
          f"{cases['floor'].median('requests'):.0f} | |")
    print(f"| `--jobs {JOBS}`, cold cache | {cold:.2f} s ({cold / floor:.2f}x floor) | "
          f"{cases['cold'].median('requests'):.0f} ({per_workload:g} per workload) | "
          f"< {TARGET_FLOOR_RATIO}x floor |")
    print(f"| `--jobs {JOBS}`, warm cache | {warm:.2f} s | "
          f"{cases['warm'].median('requests'):.0f}, "
          f"{cases['warm'].median('not_modified'):.0f} answered 304 | 1 per workload, 304 |")
    if cases["serial"].runs:
        serial = cases["serial"].median("seconds")
        print(f"| `--jobs 1`, cold cache | {serial:.2f} s ({serial / cold:.1f}x `--jobs {JOBS}`) "
              f"| {cases['serial'].median('requests'):.0f} | `--jobs {JOBS}` >= "
              f"{TARGET_SPEEDUP}x faster |")
    print(f"| peak RSS, `--jobs {JOBS}` cold, {count} workloads | "
          f"{cases['cold'].median('max_rss_kib') / 1024:.0f} MiB | | |")
    if memory is not None:
        print(f"| peak RSS, `--jobs {JOBS}` cold, {options.memory_workloads} workloads | "
              f"{memory.median('max_rss_kib') / 1024:.0f} MiB "
              f"({memory.median('seconds'):.1f} s) | "
              f"{memory.median('requests'):.0f} | < {TARGET_PEAK_MIB} MB |")


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark gitops_sync --all --check.")
    parser.add_argument("--workloads", type=int, default=1000,
                        help="Workloads in the timed runs (default: 1000).")
    parser.add_argument("--memory-workloads", type=int, default=10_000,
                        help="Workloads in the memory runs; 0 skips them (default: 10000).")
    parser.add_argument("--delay", type=float, default=0.05,
                        help="Seconds the forge waits before each response (default: 0.05).")
    parser.add_argument("--rounds", type=int, default=3,
                        help="Rounds of each measurement (default: 3).")
    parser.add_argument("--serial-rounds", type=int, default=3,
                        help="Rounds that also time --jobs 1, the slowest case (default: 3).")
    parser.add_argument("--redis-url", default=os.environ.get(
        "BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
        help="Redis database for the cache (default: $BENCH_REDIS_URL or db 0 on 127.0.0.1).")
    options = parser.parse_args()

    prefixes = CachePrefixes(options.redis_url)
    with tempfile.TemporaryDirectory(prefix="tinyforge-bench-") as directory, \
            ForgeProcess(options.delay, TOKEN) as forge:
        env = settings_environment(Path(directory) / "bench.sqlite3",
                                   CACHE_URL=options.redis_url)
        setup_django(env)
        create_workloads(forge.url, options.workloads)
        repo_urls = [f"{forge.url}/acme/app-{number:05d}" for number in range(options.workloads)]
        try:
            cases = measure_speed(options, env, forge, prefixes, repo_urls)
            memory = None
            if options.memory_workloads:
                create_workloads(forge.url, options.memory_workloads - options.workloads,
                                 start=options.workloads)
                memory = measure_memory(options, env, forge, prefixes)
        finally:
            prefixes.delete_all()
    print_table(options, cases, memory)


if __name__ == "__main__":
    main()
