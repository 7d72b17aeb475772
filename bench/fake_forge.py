"""A Gitea-shaped HTTP server on 127.0.0.1 for the benchmarks, run in its own process.

It serves the two requests ``GiteaProvider`` sends for a check, for any
``OWNER/REPO``:

- ``GET /api/v1/repos/OWNER/REPO/branches/BRANCH`` returns the branch JSON
  with the commit SHA and an ETag, or 304 with no body when If-None-Match
  names that ETag;
- ``GET /api/v1/repos/OWNER/REPO/raw/.tinyforge.yml?ref=SHA`` returns the
  file at that commit.

Every other path under ``/api/v1/`` returns 404. Each of these requests is
answered after ``--delay`` seconds and counted. ``GET /_bench/stats`` returns
the counts as JSON and ``POST /_bench/reset`` zeroes them, both without the
delay and without being counted; ``POST /_bench/reset?delay=S`` also sets the
delay.

Run: ``python bench/fake_forge.py --delay 0.05``. The server prints
``port N`` on stdout once it listens, and stops on SIGTERM or SIGINT.
"""

import argparse
import hashlib
import http.server
import json
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import requests

FILE_PATH = ".tinyforge.yml"
# Matches the live config that the benchmarks create, so a check finds no drift.
FILE_BODY = b"version: 1\ndeploy:\n  port: 8080\n  healthcheck: /healthz\n  max_instances: 1\n"
API_PREFIX = "/api/v1/repos/"


def commit_sha(owner: str, repo: str, branch: str) -> str:
    """Return the fixed commit SHA of a branch: the same on every run, unique per repository."""
    return hashlib.sha1(f"{owner}/{repo}@{branch}".encode()).hexdigest()


class ForgeServer(http.server.ThreadingHTTPServer):
    """A thread per connection, so a slow response never holds up another client."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, delay: float, token: str):
        super().__init__(("127.0.0.1", 0), ForgeHandler)
        self.delay = delay
        self.token = token
        self.counts: Counter = Counter()
        self.lock = threading.Lock()

    def count(self, *names: str) -> None:
        with self.lock:
            self.counts.update(names)


class ForgeHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes. With Nagle's algorithm on, the
    # body would wait for the client's delayed ACK of the headers (up to 40 ms
    # on Linux), far more than the delay this server is meant to add.
    disable_nagle_algorithm = True
    server: ForgeServer

    def log_message(self, format, *args):
        pass

    def do_POST(self):
        parts = urlsplit(self.path)
        if parts.path == "/_bench/reset":
            delay = parse_qs(parts.query).get("delay")
            with self.server.lock:
                self.server.counts.clear()
                if delay:
                    self.server.delay = float(delay[0])
            self.send(200, b"{}", {"Content-Type": "application/json"})
        else:
            self.send(405, b"")

    def do_GET(self):
        if self.path == "/_bench/stats":
            with self.server.lock:
                body = json.dumps(dict(self.server.counts)).encode()
            self.send(200, body, {"Content-Type": "application/json"})
            return

        time.sleep(self.server.delay)
        status, body, headers = self.answer()
        self.server.count("requests", f"status_{status}")
        self.send(status, body, headers)

    def answer(self) -> tuple[int, bytes, dict]:
        parts = urlsplit(self.path)
        if not parts.path.startswith(API_PREFIX):
            return 404, b'{"message": "not found"}', {"Content-Type": "application/json"}
        if self.server.token and self.headers.get("Authorization") != f"token {self.server.token}":
            return 401, b'{"message": "token is required"}', {"Content-Type": "application/json"}

        segments = parts.path[len(API_PREFIX):].split("/", 3)
        if len(segments) == 4 and segments[2] == "branches":
            owner, repo, _kind, branch = (unquote(segment) for segment in segments)
            return self.branch(owner, repo, branch)
        if len(segments) == 4 and segments[2] == "raw" and unquote(segments[3]) == FILE_PATH:
            owner, repo = unquote(segments[0]), unquote(segments[1])
            ref = parse_qs(parts.query).get("ref", [""])[0]
            if ref == commit_sha(owner, repo, "main"):
                return 200, FILE_BODY, {"Content-Type": "text/plain; charset=utf-8"}
        return 404, b'{"message": "not found"}', {"Content-Type": "application/json"}

    def branch(self, owner: str, repo: str, branch: str) -> tuple[int, bytes, dict]:
        if branch != "main":
            return 404, b'{"message": "branch not found"}', {"Content-Type": "application/json"}
        sha = commit_sha(owner, repo, branch)
        etag = f'"{sha}"'
        if self.headers.get("If-None-Match") == etag:
            return 304, b"", {"ETag": etag}
        body = json.dumps({"name": branch, "commit": {"id": sha, "message": "Update"}}).encode()
        return 200, body, {"Content-Type": "application/json", "ETag": etag}

    def send(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


class ForgeProcess:
    """The server started as a child process, seen from the benchmark that started it."""

    def __init__(self, delay: float, token: str = ""):
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--delay", str(delay),
             "--token", token],
            stdout=subprocess.PIPE, text=True,
        )
        line = self.process.stdout.readline().split()
        if len(line) != 2 or line[0] != "port":
            self.process.kill()
            raise RuntimeError(f"the fake forge did not start; it printed {line!r}")
        self.url = f"http://127.0.0.1:{line[1]}"
        self.session = requests.Session()
        self.session.trust_env = False

    def stats(self) -> Counter:
        """Return the counts since the last reset: requests and status_CODE per status."""
        response = self.session.get(f"{self.url}/_bench/stats", timeout=10)
        response.raise_for_status()
        return Counter(response.json())

    def reset(self, delay: float | None = None) -> None:
        params = {} if delay is None else {"delay": str(delay)}
        self.session.post(f"{self.url}/_bench/reset", params=params, timeout=10).raise_for_status()

    def stop(self) -> None:
        self.session.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process.stdout.close()

    def __enter__(self) -> "ForgeProcess":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.05,
                        help="Seconds to wait before each API response (default: 0.05).")
    parser.add_argument("--token", default="",
                        help="Respond 401 unless requests send 'Authorization: token TOKEN'.")
    options = parser.parse_args()

    server = ForgeServer(options.delay, options.token)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"port {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
