"""Token redaction, and a canary token pushed through every failure of every provider."""

import base64
import logging
import re
import subprocess
import time
import traceback
import uuid
from urllib.parse import quote

import pytest
import responses
from django.test import override_settings

from tests.git.servers import git_server, http_server
from tinyforge.git import ProviderError, get_provider
from tinyforge.git.redact import RedactingFilter, Redactor, redact_live
from tinyforge.logformat import JsonFormatter

SHA = "e" * 40
FAULT_SETTINGS = override_settings(
    TINYFORGE_GIT_ALLOWED_HOSTS=["127.0.0.1"], TINYFORGE_GIT_ALLOW_FILE_URLS=True,
    TINYFORGE_GIT_READ_TIMEOUT=0.5, TINYFORGE_GIT_TOTAL_TIMEOUT=1.5,
)


def variants(token: str) -> list[str]:
    return [
        token, quote(token, safe=""),
        base64.b64encode(token.encode()).decode(),
        base64.b64encode(f"x-access-token:{token}".encode()).decode(),
    ]


def test_redactor_replaces_every_form():
    token = "ab/c+d=e"
    redact = Redactor(token)
    for form in [*variants(token), f"Bearer {token}", quote(token)]:
        assert token not in redact(f"value {form} end")
        assert redact(f"value {form} end").count("[redacted]") == 1, form


@pytest.mark.parametrize(("text", "expected"), [
    ("see https://oauth2:s3cret@gitlab.example.com/x", "see https://[redacted]@gitlab.example.com/x"),
    ("GET /x?private_token=s3cret&a=1", "GET /x?private_token=[redacted]&a=1"),
    ("GET /x?access_token=s3cret", "GET /x?access_token=[redacted]"),
    ("url?token=s3cret", "url?token=[redacted]"),
    ("Authorization: Bearer s3cret", "Authorization: [redacted]"),
    ("PRIVATE-TOKEN: s3cret", "PRIVATE-TOKEN: [redacted]"),
    ("the repository token is invalid", "the repository token is invalid"),
])
def test_redactor_patterns(text, expected):
    assert Redactor("")(text) == expected


def test_redactor_repr_hides_token():
    assert "s3cret" not in repr(Redactor("s3cret"))


def test_logging_filter_redacts_live_tokens():
    token = f"tf_canary_{uuid.uuid4().hex}"
    provider = get_provider("github", "https://github.com/acme/app", token)
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed with %s", (token,), None)
    try:
        raise ValueError(f"boom {token}")
    except ValueError:
        import sys
        record.exc_info = sys.exc_info()
    record.detail = f"Bearer {token}"
    assert RedactingFilter().filter(record)
    line = JsonFormatter().format(record)
    assert token not in line
    assert "failed with [redacted]" in line
    assert "boom [redacted]" in line
    del provider


def test_live_token_forgotten_after_provider_dies():
    token = f"tf_canary_{uuid.uuid4().hex}"
    provider = get_provider("github", "https://github.com/acme/app", token)
    assert redact_live(token) == "[redacted]"
    del provider
    assert redact_live(token) == token


class Canary:
    """A unique token and every place it must never show up."""

    def __init__(self):
        self.token = f"tf_canary_{uuid.uuid4().hex}"
        self.failures: list[ProviderError] = []

    def assert_absent(self, text: str, where: str):
        for form in variants(self.token):
            assert form not in text, f"the token appeared in {where}: {text!r}"

    def check(self, provider, call):
        try:
            call()
        except ProviderError as error:
            self.failures.append(error)
            self.assert_absent(str(error), "str")
            self.assert_absent(repr(error), "repr")
            self.assert_absent(error.message, "message")
            self.assert_absent("".join(traceback.format_exception(error)), "traceback")
            assert error.__cause__ is None
            assert error.__context__ is None
        else:
            pytest.fail("the call did not fail")
        self.assert_absent(repr(provider), "provider repr")


@pytest.fixture
def canary(caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    canary = Canary()
    commands = []
    real_popen = subprocess.Popen

    def recording_popen(arguments, *args, **kwargs):
        commands.append(list(map(str, arguments)))
        return real_popen(arguments, *args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", recording_popen)
    yield canary
    for record in caplog.records:
        canary.assert_absent(record.getMessage(), "a log record")
        if record.exc_info:
            canary.assert_absent("".join(traceback.format_exception(*record.exc_info)), "a log")
    for command in commands:
        canary.assert_absent(" ".join(command), "a command line")


@pytest.mark.parametrize(("provider_name", "url", "api"), [
    ("github", "https://github.com/acme/app", "https://api.github.com/repos/acme/app"),
    ("gitlab", "https://gitlab.example.com/acme/app",
     "https://gitlab.example.com/api/v4/projects/acme%2Fapp"),
    ("gitea", "https://gitea.example.com/acme/app",
     "https://gitea.example.com/api/v1/repos/acme/app"),
])
@pytest.mark.parametrize("status", [401, 403, 404, 429, 500])
def test_canary_absent_from_http_status_failures(canary, provider_name, url, api, status):
    provider = get_provider(provider_name, url, canary.token)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        # A hostile server echoes the token back in every response.
        echo = {"message": f"bad token {canary.token}", "url": f"{url}?token={canary.token}"}
        mocked.get(re.compile(f"{api}.*"), status=status, json=echo,
                   headers={"X-Echo": canary.token, "Retry-After": "5"})
        canary.check(provider, lambda: provider.resolve_ref("main"))
        canary.check(provider, lambda: provider.download_file(".tinyforge.yml", SHA))


@FAULT_SETTINGS
def test_canary_absent_from_connection_failures(canary):
    with http_server(lambda handler: None) as server:
        port = server.port
    provider = get_provider("github", f"http://127.0.0.1:{port}/acme/app", canary.token)
    canary.check(provider, lambda: provider.resolve_ref("main"))


@FAULT_SETTINGS
def test_canary_absent_from_timeouts(canary):
    def stall(handler):
        time.sleep(1)

    with http_server(stall) as server:
        provider = get_provider("gitea", f"{server.url}/acme/app", canary.token)
        canary.check(provider, lambda: provider.resolve_ref("main"))


@FAULT_SETTINGS
def test_canary_absent_from_cross_host_redirect(canary):
    with http_server(lambda handler: handler.send_body(200, b"")) as other:
        def redirect(handler):
            location = f"{other.url}/steal?token={canary.token}"
            handler.send_body(302, b"", {"Location": location})

        with http_server(redirect) as server:
            provider = get_provider("gitlab", f"{server.url}/acme/app", canary.token)
            canary.check(provider, lambda: provider.resolve_ref("main"))
        assert other.accepted == 0


@FAULT_SETTINGS
def test_canary_absent_from_git_failures(canary, tmp_path):
    with git_server(str(tmp_path)) as server:
        provider = get_provider("git", f"{server.url}/missing.git", canary.token)
        canary.check(provider, lambda: provider.resolve_ref("main"))
        canary.check(provider, lambda: provider.download_file(".tinyforge.yml", SHA))

    def unauthorized(handler):
        handler.send_body(401, b"", {"WWW-Authenticate": 'Basic realm="git"'})

    with http_server(unauthorized) as server:
        provider = get_provider("git", f"{server.url}/app.git", canary.token)
        canary.check(provider, lambda: provider.resolve_ref("main"))
    provider = get_provider("git", f"file://{tmp_path}/none.git", canary.token)
    canary.check(provider, lambda: provider.resolve_ref("main"))


def test_canary_absent_from_invalid_urls(canary):
    for url in (f"https://x:{canary.token}@github.com/acme/app",
                f"https://github.com/acme/app?private_token={canary.token}"):
        canary.check(None, lambda url=url: get_provider("github", url, canary.token))


def test_discard_while_lock_held_does_not_block():
    from tinyforge.git.redact import live_tokens

    live_tokens.add("tf_canary_lock")
    # A finalizer may run discard while this thread is inside add() or redact().
    with live_tokens._lock:
        live_tokens.discard("tf_canary_lock")
    assert redact_live("tf_canary_lock") == "tf_canary_lock"
