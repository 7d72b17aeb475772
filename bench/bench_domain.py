"""Time the GitOps domain on the design example and on hostile files.

Run from the repository root: ``.venv/bin/python bench/bench_domain.py``.
It prints a Markdown table: the median wall time of each case over several
runs, and the peak memory that tracemalloc reports during one more run.
The targets are 1 ms for parse, plan, merge and drift of the design example,
50 ms for a 64 KiB file of comments and 100 ms for each hostile file.
"""

import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import django
from django.conf import settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
settings.configure()
django.setup()

from gitops.drift import compute_drift  # noqa: E402
from gitops.merge import merge_and_validate  # noqa: E402
from gitops.plan import build_plan  # noqa: E402
from gitops.spec import MAX_FILE_BYTES, parse_spec  # noqa: E402
from tinyforge.sources import get_source  # noqa: E402

DESIGN_EXAMPLE = b"""\
version: 1
deploy:
  port: 8080
  healthcheck: /healthz
  deploy_strategy: blue-green
  resources: { cpu_limit: 0.5, memory_limit: 256 }
  max_instances: 1
"""
LIVE_CONFIG = {
    "provider": "github",
    "repo_url": "https://github.com/acme/app",
    "branch": "main",
    "dockerfile_path": "Dockerfile",
    "build_context": ".",
    "port": 8000,
}


def parse_plan_merge_drift() -> None:
    spec = parse_spec(DESIGN_EXAMPLE).spec
    plan = build_plan(spec, "dockerfile")
    merge_and_validate(LIVE_CONFIG, plan, get_source("dockerfile"))
    compute_drift(plan, LIVE_CONFIG)


def comment_file() -> bytes:
    line = b"# " + b"x" * 77 + b"\n"
    head = b"version: 1\n"
    body = line * ((MAX_FILE_BYTES - len(head)) // len(line))
    return head + body + b"#" * (MAX_FILE_BYTES - len(head) - len(body) - 1) + b"\n"


def deep_nesting_file() -> bytes:
    depth = (MAX_FILE_BYTES - 40) // 2
    return b"version: 1\ndeploy: " + b"[" * depth + b"]" * depth + b"\n"


def alias_bomb_file() -> bytes:
    """Return a billion-laughs file: nine levels of ten aliases each, 10**9 leaves if expanded."""
    lines = [b"version: 1", b"l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        aliases = b", ".join([b"*l%d" % (level - 1)] * 10)
        lines.append(b"l%d: &l%d [%s]" % (level, level, aliases))
    lines.append(b"deploy:\n  port: *l9")
    return b"\n".join(lines) + b"\n"


def many_keys_file() -> bytes:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    keys = (
        "k" + digits[index // 1296] + digits[index // 36 % 36] + digits[index % 36]
        for index in range(10_000)
    )
    return ("version: 1\n" + "".join(f"{key}:\n" for key in keys)).encode()


def oversized_file() -> bytes:
    return b"version: 1\n" + b"#" * MAX_FILE_BYTES


def measure(run: Callable[[], object], repeats: int) -> tuple[float, int]:
    """Return the median milliseconds over ``repeats`` runs and the peak bytes of one run."""
    run()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(timings), peak


def parse_of(data: bytes) -> Callable[[], object]:
    return lambda: parse_spec(data)


CASES = [
    ("design example: parse, plan, merge, drift", parse_plan_merge_drift, 2000, "< 1 ms"),
    ("64 KiB of comments", parse_of(comment_file()), 50, "< 50 ms"),
    ("64 KiB + 1 byte (rejected by size)", parse_of(oversized_file()), 200, "< 100 ms"),
    ("deep nesting: 32,748 [ on one line", parse_of(deep_nesting_file()), 200, "< 100 ms"),
    ("billion-laughs alias chain", parse_of(alias_bomb_file()), 200, "< 100 ms"),
    ("10,000 unknown keys", parse_of(many_keys_file()), 20, "< 100 ms"),
]


def main() -> None:
    print("| case | median | peak memory | target |")
    print("|---|---:|---:|---|")
    for name, run, repeats, target in CASES:
        median, peak = measure(run, repeats)
        print(f"| {name} | {median:.3f} ms | {peak / 1024:.0f} KiB | {target} |")


if __name__ == "__main__":
    main()
