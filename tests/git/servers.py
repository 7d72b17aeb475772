"""Loopback servers for the git tests and the benchmark: plain HTTP, TLS and git http-backend.

Every server binds 127.0.0.1 on a free port and runs in a daemon thread.
"""

import http.server
import os
import shutil
import ssl
import subprocess
import threading
from contextlib import contextmanager
from urllib.parse import urlsplit


class CountingServer(http.server.ThreadingHTTPServer):
    """A threaded HTTP server that counts accepted connections, requests and body bytes sent."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, handler_class, respond=None):
        super().__init__(("127.0.0.1", 0), handler_class)
        self.respond = respond
        self.accepted = 0
        self.requests: list[dict] = []
        self.bytes_sent = 0
        self.lock = threading.Lock()

    def get_request(self):
        connection = super().get_request()
        with self.lock:
            self.accepted += 1
        return connection

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        scheme = "https" if isinstance(self.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://127.0.0.1:{self.port}"


class ScriptedHandler(http.server.BaseHTTPRequestHandler):
    """Pass each request to the server's ``respond(handler)`` callable."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):
        with self.server.lock:
            self.server.requests.append({"path": self.path, "headers": dict(self.headers)})
        self.server.respond(self)

    def log_message(self, format, *args):
        pass

    def send_body(self, status: int, body: bytes, headers: dict | None = None):
        """Send a complete response with Content-Length and count its body bytes."""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with self.server.lock:
            self.server.bytes_sent += len(body)


@contextmanager
def serving(server):
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def http_server(respond):
    """Return a serving context for a plain HTTP server that responds with ``respond``."""
    return serving(CountingServer(ScriptedHandler, respond))


def tls_server(respond, certificate_file: str, key_file: str, sni_names: list):
    """Return a serving context for a TLS server that appends each client's SNI to ``sni_names``."""
    server = CountingServer(ScriptedHandler, respond)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate_file, key_file)
    context.sni_callback = lambda _socket, name, _context: sni_names.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    return serving(server)


class GitBackendHandler(http.server.BaseHTTPRequestHandler):
    """Serve the repositories under ``server.project_root`` with ``git http-backend`` (CGI)."""

    protocol_version = "HTTP/1.0"

    def do_GET(self):
        self.run_backend(b"")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self.read_chunked()
        else:
            body = self.rfile.read(length)
        self.run_backend(body)

    def read_chunked(self) -> bytes:
        chunks = []
        while True:
            size = int(self.rfile.readline().strip().split(b";")[0], 16)
            if size == 0:
                self.rfile.readline()
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def run_backend(self, body: bytes):
        with self.server.lock:
            self.server.requests.append({"path": self.path, "headers": dict(self.headers)})
        parts = urlsplit(self.path)
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "GIT_PROJECT_ROOT": self.server.project_root,
            "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": parts.path,
            "QUERY_STRING": parts.query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": self.server.project_root,
        }
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        result = subprocess.run(
            [shutil.which("git"), "http-backend"], input=body, env=env,
            capture_output=True, timeout=120, check=False,
        )
        head, _separator, payload = result.stdout.partition(b"\r\n\r\n")
        if not _separator:
            head, _separator, payload = result.stdout.partition(b"\n\n")
        status = 200
        headers = []
        for line in head.decode("latin-1").splitlines():
            name, _colon, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        with self.server.lock:
            self.server.bytes_sent += len(payload)

    def log_message(self, format, *args):
        pass


def git_server(project_root: str):
    """Return a serving context for git http-backend over the repositories in ``project_root``."""
    server = CountingServer(GitBackendHandler)
    server.project_root = project_root
    return serving(server)
