"""A path stored without validation never leaves the repository's own file API.

The path setting is checked when it is saved, and again where the fetch
builds its request. These tests store bad paths with ``.update()``, which
skips the first check, and call the providers directly, which skips the
check of ``fetch_spec``, then record every request a loopback forge gets.
"""

import pytest
from django.test import override_settings

from gitops import services
from gitops.status import Status
from tests.hardening.forge import (
    API_PREFIX,
    FILE_ROUTE,
    HTTP_PROVIDERS,
    SHA,
    file_path_of,
    forge_server,
    repo_url,
    step_of,
)
from tinyforge.git import InvalidLocation, get_provider
from tinyforge.workloads.models import Workload

ALLOW_LOOPBACK = override_settings(TINYFORGE_GIT_ALLOWED_HOSTS=["127.0.0.1"])

BAD_PATHS = {
    "parent_segments": "../../x",
    "encoded_parent": "%2e%2e/x",
    "encoded_slash": "..%2fx",
    "parent_inside": "a/../../b",
    "dot_segment": "./x.yml",
    "absolute": "/etc/passwd",
    "trailing_slash": "dir/",
    "double_slash": "a//b.yml",
    "query": "x.yml?ref=main",
    "fragment": "x.yml#top",
    "url": "https://example.com/x.yml",
    "backslash": "..\\x.yml",
    "start_of_heading": "x\x01.yml",
    "newline": "x\n.yml",
    "c1_control": "x\x85.yml",
    "line_separator": "x\u2028.yml",
    "bidi_override": "x\u202e.yml",
    "too_long": "\u00e9" * 150,
    "empty": "",
}

# No database stores a lone surrogate, and PostgreSQL rejects NUL and more
# than 255 characters, so only the providers' own check meets these.
UNSTORABLE_PATHS = {"lone_surrogate": "x\udc80.yml", "nul": "x\x00.yml",
                    "too_many_characters": "a" * 300}
PROVIDER_PATHS = {**BAD_PATHS, **UNSTORABLE_PATHS}

# Valid paths with characters that need encoding; each must reach the file API intact.
ODD_PATHS = ["..x/.tinyforge.yml", "dir/.tinyforge.yml", "a b/\u00fc.yml", "x;y=z.yml",
             "*.yml", "a:b.yml", "~/x.yml", "x+y.yml"]


def gitops_workload_at(make_workload, provider, url, path):
    workload = make_workload(provider=provider, repo_url=url, branch="main")
    Workload.objects.filter(pk=workload.pk).update(gitops_enabled=True, gitops_path=path)
    workload.refresh_from_db()
    return workload


@ALLOW_LOOPBACK
@pytest.mark.parametrize("provider", HTTP_PROVIDERS)
@pytest.mark.parametrize("name", sorted(BAD_PATHS))
def test_stored_bad_path_sends_no_request(make_workload, provider, name):
    with forge_server(provider) as (_forge, server):
        workload = gitops_workload_at(make_workload, provider, repo_url(server), BAD_PATHS[name])
        status = services.get_status(workload)

    assert status.status is Status.FETCH_FAILED
    assert "Fix the path setting" in status.message
    assert server.requests == []


@ALLOW_LOOPBACK
@pytest.mark.parametrize("provider", HTTP_PROVIDERS)
@pytest.mark.parametrize("name", sorted(PROVIDER_PATHS))
def test_provider_rejects_bad_path(provider, name):
    with forge_server(provider) as (_forge, server):
        provider_object = get_provider(provider, repo_url(server), "")
        with pytest.raises(InvalidLocation):
            provider_object.download_file(PROVIDER_PATHS[name], SHA)

    assert server.requests == []


@pytest.mark.parametrize("name", sorted(PROVIDER_PATHS))
def test_git_provider_rejects_bad_path(git_repo, allow_file_urls, name):
    repo = git_repo({"x.yml": "version: 1\n"})
    provider_object = get_provider("git", repo.url, "")
    with pytest.raises(InvalidLocation):
        provider_object.download_file(PROVIDER_PATHS[name], repo.head())


@ALLOW_LOOPBACK
@pytest.mark.parametrize("provider", HTTP_PROVIDERS)
@pytest.mark.parametrize("path", ODD_PATHS)
def test_odd_path_stays_in_file_api(make_workload, provider, path):
    with forge_server(provider) as (_forge, server):
        workload = gitops_workload_at(make_workload, provider, repo_url(server), path)
        status = services.get_status(workload)

    assert status.status is Status.OK, status.message
    downloads = [r["path"] for r in server.requests if step_of(provider, r["path"]) == "download"]
    assert len(downloads) == 1
    assert downloads[0].startswith(API_PREFIX[provider] + FILE_ROUTE[provider])
    assert file_path_of(provider, downloads[0]) == path
    for request in server.requests:
        assert request["path"].startswith(API_PREFIX[provider])
