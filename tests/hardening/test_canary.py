"""A canary token set as the repository token must never appear in any output.

Every scenario stores one unique ``tf_canary_<uuid4>`` as the workload's
``repo_token`` and makes a loopback server fail in one way. It then collects
what leaves the application: API response bodies, admin pages, event rows,
exception text with its chained causes and Django's error report. Every log
record is collected twice, before the redacting filter runs and as the JSON
line the production handler writes. None may contain the token in any form
in which it is sent.
"""

import base64
import io
import json
import logging
import re
import sys
import traceback
import uuid
from contextlib import contextmanager
from unittest import mock
from urllib.parse import quote, quote_plus

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.views.debug import ExceptionReporter
from rest_framework.test import APIClient

from gitops import services
from gitops.errors import GitOpsError
from tests.git.servers import CountingServer, ScriptedHandler, serving
from tests.hardening.forge import (
    FAULTS,
    HTTP_PROVIDERS,
    Forge,
    forge_server,
    redirect_to,
    repo_url,
    status,
)
from tinyforge.events.models import EventLog
from tinyforge.git.redact import RedactingFilter
from tinyforge.logformat import JsonFormatter
from tinyforge.workloads.models import Workload

TOKEN = f"tf_canary_{uuid.uuid4()}"


def _b64(text):
    return base64.b64encode(text.encode()).decode()


VARIANTS = {
    TOKEN, quote(TOKEN, safe=""), quote_plus(TOKEN), _b64(TOKEN), _b64(TOKEN).rstrip("="),
    _b64(f"x-access-token:{TOKEN}"), _b64(f"x-access-token:{TOKEN}").rstrip("="),
}

SHORT_TIMEOUTS = override_settings(
    TINYFORGE_GIT_ALLOWED_HOSTS=["127.0.0.1"],
    TINYFORGE_GIT_CONNECT_TIMEOUT=0.5,
    TINYFORGE_GIT_READ_TIMEOUT=0.5,
    TINYFORGE_GIT_TOTAL_TIMEOUT=1.5,
)

HTTP_FAULTS = {
    "unauthorized_401": status(401),
    "forbidden_403": status(403),
    "server_error_500": status(500),
    "rate_limited_429": FAULTS["rate_limited_429"],
    "connection_reset": FAULTS["connection_reset"],
    "html_content_type": FAULTS["html_content_type"],
    "truncated_body": FAULTS["truncated_body"],
    "redirect_loop": FAULTS["redirect_loop"],
}


class _RawRecords(logging.Handler):
    """Keep the text of every record as logged, before any filter changes it."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record):
        self.texts.append(record.getMessage())
        self.texts.append(repr(record.args))
        self.texts.append(repr(vars(record)))
        if record.exc_info:
            self.texts.append("".join(traceback.format_exception(*record.exc_info)))


class Sink:
    """Everything a scenario produced, to be scanned for the token."""

    def __init__(self):
        self.texts: list[tuple[str, str]] = []

    def add(self, where, text):
        self.texts.append((where, text if isinstance(text, str) else repr(text)))

    def add_exception(self, where, error):
        self.add(f"{where} str", str(error))
        self.add(f"{where} repr", repr(error))
        self.add(f"{where} traceback", "".join(traceback.format_exception(error)))

    def add_response(self, where, response):
        self.add(where, response.content.decode("utf-8", "replace"))
        self.add(f"{where} headers", repr(dict(response.items())))


def leaks(text):
    return sorted(variant for variant in VARIANTS if variant in text)


@pytest.fixture
def sink(caplog, db):
    for name in (None, "django", "django.db.backends", "tinyforge", "gitops", "urllib3"):
        caplog.set_level(logging.DEBUG, logger=name)
    root = logging.getLogger()
    raw = _RawRecords()
    root.handlers.insert(0, raw)
    stream = io.StringIO()
    json_lines = logging.StreamHandler(stream)
    json_lines.addFilter(RedactingFilter())
    json_lines.setFormatter(JsonFormatter())
    root.addHandler(json_lines)
    collected = Sink()
    try:
        yield collected
    finally:
        root.removeHandler(raw)
        root.removeHandler(json_lines)
    for text in raw.texts:
        collected.add("log record", text)
    collected.add("captured logs", caplog.text)
    collected.add("JSON log lines", stream.getvalue())
    for event in EventLog.objects.all():
        collected.add(f"event {event.action}", json.dumps(event.details) + repr(vars(event)))
    found = [(where, leaks(text)) for where, text in collected.texts if leaks(text)]
    assert found == [], f"the canary token leaked: {found}"


def canary_workload(make_workload, provider, url, name=None):
    workload = make_workload(name=name, provider=provider, repo_url=url, branch="main",
                             token=TOKEN)
    Workload.objects.filter(pk=workload.pk).update(gitops_enabled=True)
    workload.refresh_from_db()
    return workload


def run_fetch_and_sync(sink, workload):
    fetched = services.get_status(workload)
    sink.add("status message", fetched.message)
    sink.add("status errors", repr(fetched.errors))
    for dry_run in (True, False):
        with pytest.raises(GitOpsError) as caught:
            services.sync(workload, actor="test", dry_run=dry_run)
        sink.add_exception("sync error", caught.value)
        sink.add("sync error details", repr(caught.value.details))


def token_reached(server, variant):
    return any(variant in json.dumps(request["headers"]) for request in server.requests)


@SHORT_TIMEOUTS
@pytest.mark.parametrize("fault", sorted(HTTP_FAULTS))
@pytest.mark.parametrize("provider", HTTP_PROVIDERS)
def test_fetch_failure_leaks_no_token(sink, make_workload, provider, fault):
    with forge_server(provider) as (forge, server):
        forge.faults["any"] = HTTP_FAULTS[fault]
        run_fetch_and_sync(sink, canary_workload(make_workload, provider, repo_url(server)))

    # The server received the token, so the canary was really in play.
    assert token_reached(server, TOKEN)


@SHORT_TIMEOUTS
@pytest.mark.parametrize("provider", HTTP_PROVIDERS)
def test_cross_host_redirect_leaks_no_token(sink, make_workload, provider):
    with forge_server(provider) as (_target, other):
        forge = Forge(provider)
        forge.faults["any"] = redirect_to(f"http://localhost:{other.port}/steal")
        with serving(CountingServer(ScriptedHandler, forge.respond)) as server:
            run_fetch_and_sync(sink, canary_workload(make_workload, provider, repo_url(server)))

    assert token_reached(server, TOKEN)
    assert other.requests == []


@SHORT_TIMEOUTS
@pytest.mark.parametrize("fault", ["unauthorized_401", "forbidden_403", "server_error_500",
                                   "connection_reset", "redirect_loop"])
def test_git_command_failure_leaks_no_token(sink, make_workload, fault):
    forge = Forge("git")
    forge.faults["any"] = HTTP_FAULTS[fault]
    with serving(CountingServer(ScriptedHandler, forge.respond)) as server:
        run_fetch_and_sync(sink, canary_workload(make_workload, "git",
                                                 f"{server.url}/acme/app.git"))

    assert token_reached(server, _b64(f"x-access-token:{TOKEN}"))


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", password="pw")


@contextmanager
def failing_and_working_workloads(make_workload, gitops_workload):
    """Yield a workload whose forge returns 401 and one whose file syncs, both with the token."""
    with forge_server("github") as (forge, server):
        forge.faults["any"] = status(401)
        failing = canary_workload(make_workload, "github", repo_url(server), name="failing")
        working = gitops_workload("version: 1\ndeploy:\n  port: 9090\n")
        Workload.objects.filter(pk=working.pk).update(repo_token=TOKEN)
        working.refresh_from_db()
        yield failing, working


@SHORT_TIMEOUTS
def test_api_responses_leak_no_token(sink, make_workload, gitops_workload, allow_file_urls,
                                     superuser):
    client = APIClient()
    client.force_authenticate(superuser)
    with failing_and_working_workloads(make_workload, gitops_workload) as workloads:
        for workload in workloads:
            base = f"/api/v1/workloads/{workload.pk}"
            calls = [
                ("get", f"{base}/", None),
                ("patch", f"{base}/", {"repo_token": TOKEN}),
                ("get", f"{base}/gitops/", None),
                ("put", f"{base}/gitops/", {"enabled": True, "path": ".tinyforge.yml"}),
                ("get", f"{base}/gitops/export/", None),
                ("post", f"{base}/gitops/sync/", {"dry_run": True}),
                ("post", f"{base}/gitops/sync/", {}),
            ]
            for method, url, data in calls:
                response = getattr(client, method)(url, data, format="json")
                assert response.status_code != 500, (method, url, response.content[:300])
                sink.add_response(f"{method.upper()} {url}", response)
        for url in ["/api/v1/workloads/", "/api/v1/events/", "/api/v1/schema/",
                    "/api/v1/tinyforge.schema.json"]:
            response = client.get(url)
            assert response.status_code == 200, url
            sink.add_response(f"GET {url}", response)
        for event in EventLog.objects.all():
            response = client.get(f"/api/v1/events/{event.pk}/")
            assert response.status_code == 200
            sink.add_response(f"GET event {event.pk}", response)
    assert EventLog.objects.filter(action="gitops.synced").exists()
    assert EventLog.objects.filter(action="gitops.sync_failed").exists()


@SHORT_TIMEOUTS
def test_admin_pages_leak_no_token(sink, make_workload, gitops_workload, allow_file_urls,
                                   client, superuser):
    client.force_login(superuser)
    changelist = reverse("admin:workloads_workload_changelist")
    with failing_and_working_workloads(make_workload, gitops_workload) as workloads:
        sink.add_response("changelist", client.get(changelist))
        for workload in workloads:
            change = reverse("admin:workloads_workload_change", args=[workload.pk])
            sink.add_response("change page", client.get(change))
        selected = [workload.pk for workload in workloads]
        confirmation = client.post(changelist, {"action": "sync_from_repo", "index": "0",
                                                "_selected_action": selected})
        assert confirmation.status_code == 200
        sink.add_response("sync confirmation", confirmation)
        page = confirmation.content.decode()
        hidden = dict(re.findall(
            r'<input type="hidden" name="((?:sha|token)-\d+)" value="([^"]*)"', page))
        done = client.post(changelist, {"action": "sync_from_repo", "post": "yes",
                                        "_selected_action": selected, **hidden}, follow=True)
        sink.add_response("sync result", done)
        for workload in workloads:
            change = reverse("admin:workloads_workload_change", args=[workload.pk])
            sink.add_response("change page after sync", client.get(change))
    sink.add_response("audit log", client.get(reverse("admin:events_eventlog_changelist")))
    for event in EventLog.objects.all():
        page = client.get(reverse("admin:events_eventlog_change", args=[event.pk]))
        assert page.status_code == 200
        sink.add_response(f"audit log entry {event.action}", page)
    assert EventLog.objects.filter(action="gitops.synced").exists()


@SHORT_TIMEOUTS
@override_settings(DEBUG=False)
@pytest.mark.parametrize("provider", HTTP_PROVIDERS)
def test_error_report_leaks_no_token(sink, make_workload, provider):
    request = RequestFactory().get("/admin/")
    with forge_server(provider) as (_forge, server):
        workload = canary_workload(make_workload, provider, repo_url(server))
        with mock.patch("tinyforge.git.http.read_capped",
                        side_effect=RuntimeError("injected while reading")):
            try:
                services.get_status(workload)
            except RuntimeError:
                exc_info = sys.exc_info()
            else:
                pytest.fail("the injected error did not propagate")

    assert token_reached(server, TOKEN)
    reporter = ExceptionReporter(request, *exc_info)
    sink.add("error report HTML", reporter.get_traceback_html())
    sink.add("error report text", reporter.get_traceback_text())
