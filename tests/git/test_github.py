"""GitHub and GitHub Enterprise responses, mocked with ``responses``.

The test resolver in conftest returns a public address for api.github.com,
so the address guard runs and passes before ``responses`` takes the request.
"""

from datetime import UTC, datetime

import pytest
import responses
from django.test import override_settings

from tinyforge.git import (
    AuthFailed,
    FileNotFound,
    InvalidLocation,
    NotARegularFile,
    RateLimited,
    RefNotFound,
    RepoNotFoundOrNoAccess,
    TooLarge,
    UpstreamError,
    get_provider,
)

SHA = "a" * 40
API = "https://api.github.com/repos/acme/app"
COMMITS = f"{API}/commits/main"
CONTENTS = f"{API}/contents/.tinyforge.yml?ref={SHA}"
RAW_TYPE = "application/vnd.github.raw+json; charset=utf-8"


@pytest.fixture
def provider():
    return get_provider("github", "https://github.com/acme/app.git", "ghp_test")


def test_resolve_ref_success(mocked, provider):
    mocked.get(COMMITS, body=SHA, content_type="application/vnd.github.sha")
    assert provider.resolve_ref("main") == SHA
    request = mocked.calls[0].request
    assert request.headers["Accept"] == "application/vnd.github.sha"
    assert request.headers["Authorization"] == "Bearer ghp_test"
    assert request.headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert request.headers["User-Agent"].startswith("Tinyforge")


def test_resolve_ref_branch_with_slash_encoded(mocked, provider):
    mocked.get(f"{API}/commits/feature%2Fx", body=SHA)
    assert provider.resolve_ref("feature/x") == SHA


def test_unchanged_ref_revalidated_with_304(mocked, provider):
    def commits(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"ETag": '"v1"', "Content-Type": "application/vnd.github.sha"}, SHA.encode()

    mocked.add_callback(responses.GET, COMMITS, callback=commits)
    assert provider.resolve_ref("main") == SHA
    again = get_provider("github", "https://github.com/acme/app", "ghp_test")
    assert again.resolve_ref("main") == SHA
    assert len(mocked.calls) == 2
    assert mocked.calls[1].request.headers["If-None-Match"] == '"v1"'


def test_etag_not_shared_between_tokens(mocked, provider):
    mocked.get(COMMITS, body=SHA, headers={"ETag": '"v1"'})
    provider.resolve_ref("main")
    get_provider("github", "https://github.com/acme/app", "other").resolve_ref("main")
    assert "If-None-Match" not in mocked.calls[1].request.headers


def test_branch_missing(mocked, provider):
    mocked.get(COMMITS, status=404, json={"message": "Not Found"})
    mocked.get(API, json={"full_name": "acme/app"})
    with pytest.raises(RefNotFound) as caught:
        provider.resolve_ref("main")
    assert caught.value.message == "'main' was not found in acme/app; check the branch name."
    assert caught.value.status == "fetch_failed"


def test_branch_missing_answered_422(mocked, provider):
    mocked.get(COMMITS, status=422, json={"message": "No commit found for SHA: main"})
    with pytest.raises(RefNotFound):
        provider.resolve_ref("main")


def test_repo_missing(mocked, provider):
    mocked.get(COMMITS, status=404, json={"message": "Not Found"})
    mocked.get(API, status=404, json={"message": "Not Found"})
    with pytest.raises(RepoNotFoundOrNoAccess) as caught:
        provider.resolve_ref("main")
    assert caught.value.message == (
        "acme/app was not found on GitHub, or the token cannot read it; check the repository "
        "URL and the token's access."
    )


def test_bad_token(mocked, provider):
    mocked.get(COMMITS, status=401, json={"message": "Bad credentials"})
    with pytest.raises(AuthFailed) as caught:
        provider.resolve_ref("main")
    assert caught.value.message == (
        "GitHub rejected the repository token (HTTP 401); set a valid token for acme/app."
    )


def test_forbidden(mocked, provider):
    mocked.get(COMMITS, status=403, json={"message": "Resource not accessible"})
    with pytest.raises(RepoNotFoundOrNoAccess) as caught:
        provider.resolve_ref("main")
    assert "GitHub denied access to acme/app (HTTP 403)" in caught.value.message


def test_rate_limited_with_retry_after(mocked, provider):
    mocked.get(COMMITS, status=429, headers={"Retry-After": "120"})
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as caught:
        provider.resolve_ref("main")
    waited = (caught.value.retry_after - before).total_seconds()
    assert 119 <= waited <= 121
    assert caught.value.message.startswith("GitHub rate limit reached; try again after ")


def test_rate_limited_403_with_reset(mocked, provider):
    mocked.get(COMMITS, status=403, headers={
        "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1893456000",
    })
    with pytest.raises(RateLimited) as caught:
        provider.resolve_ref("main")
    assert caught.value.retry_after == datetime(2030, 1, 1, tzinfo=UTC)
    assert caught.value.message == (
        "GitHub rate limit reached; try again after 2030-01-01 00:00:00 UTC."
    )


def test_server_error(mocked, provider):
    mocked.get(COMMITS, status=500, body="oops")
    with pytest.raises(UpstreamError) as caught:
        provider.resolve_ref("main")
    assert caught.value.message == (
        "GitHub returned a server error (HTTP 500); try again later."
    )


def test_html_error_page(mocked, provider):
    mocked.get(COMMITS, status=200, body="<html>Sign in</html>", content_type="text/html")
    with pytest.raises(UpstreamError) as caught:
        provider.resolve_ref("main")
    assert caught.value.message == (
        "GitHub answered an HTML page while resolving branch 'main'; check the repository URL "
        "and try again."
    )


def test_download_success(mocked, provider):
    mocked.get(CONTENTS, body=b"version: 1\n", content_type=RAW_TYPE)
    assert provider.download_file(".tinyforge.yml", SHA) == b"version: 1\n"
    assert mocked.calls[0].request.headers["Accept"] == "application/vnd.github.raw+json"


def test_download_cached_per_sha(mocked, provider):
    mocked.get(CONTENTS, body=b"version: 1\n", content_type=RAW_TYPE)
    provider.download_file(".tinyforge.yml", SHA)
    again = get_provider("github", "https://github.com/acme/app.git", "ghp_test")
    assert again.download_file(".tinyforge.yml", SHA) == b"version: 1\n"
    assert len(mocked.calls) == 1


def test_download_subdirectory_path(mocked, provider):
    mocked.get(f"{API}/contents/deploy/my%20app.yml?ref={SHA}", body=b"x", content_type=RAW_TYPE)
    assert provider.download_file("deploy/my app.yml", SHA) == b"x"


def test_file_missing(mocked, provider):
    mocked.get(CONTENTS, status=404, json={"message": "Not Found"})
    mocked.get(API, json={"full_name": "acme/app"})
    with pytest.raises(FileNotFound) as caught:
        provider.download_file(".tinyforge.yml", SHA)
    assert caught.value.status == "no_file"
    assert caught.value.message == (
        f".tinyforge.yml does not exist in acme/app at commit {SHA[:12]}."
    )


def test_file_missing_cached_per_sha(mocked, provider):
    mocked.get(CONTENTS, status=404, json={"message": "Not Found"})
    mocked.get(API, json={"full_name": "acme/app"})
    for _ in range(2):
        with pytest.raises(FileNotFound):
            provider.download_file(".tinyforge.yml", SHA)
    assert len(mocked.calls) == 2


def test_download_repo_missing(mocked, provider):
    mocked.get(CONTENTS, status=404, json={"message": "Not Found"})
    mocked.get(API, status=404, json={"message": "Not Found"})
    with pytest.raises(RepoNotFoundOrNoAccess):
        provider.download_file(".tinyforge.yml", SHA)


def test_download_commit_missing(mocked, provider):
    mocked.get(CONTENTS, status=404, json={"message": f"No commit found for the ref {SHA}"})
    with pytest.raises(RefNotFound):
        provider.download_file(".tinyforge.yml", SHA)


@pytest.mark.parametrize(("body", "kind"), [
    ([{"type": "file", "name": "a"}], "a directory"),
    ({"type": "symlink", "target": "../../etc/passwd"}, "a symbolic link"),
    ({"type": "submodule", "submodule_git_url": "https://github.com/acme/lib"}, "a submodule"),
])
def test_not_a_regular_file(mocked, provider, body, kind):
    mocked.get(CONTENTS, json=body)
    with pytest.raises(NotARegularFile) as caught:
        provider.download_file(".tinyforge.yml", SHA)
    assert caught.value.message == (
        f".tinyforge.yml is {kind}, not a regular file; set the path of the configuration "
        "file itself."
    )


def test_oversize_with_content_length(mocked, provider):
    mocked.get(CONTENTS, body=b"x" * 70_000, content_type=RAW_TYPE,
               auto_calculate_content_length=True)
    with pytest.raises(TooLarge) as caught:
        provider.download_file(".tinyforge.yml", SHA)
    assert caught.value.status == "invalid"
    assert caught.value.message == (
        ".tinyforge.yml is larger than 65536 bytes, the limit for this file."
    )


def test_oversize_without_content_length(mocked, provider):
    mocked.get(CONTENTS, body=b"x" * 70_000, content_type=RAW_TYPE)
    with pytest.raises(TooLarge):
        provider.download_file(".tinyforge.yml", SHA)
    assert "Content-Length" not in mocked.calls[0].response.headers


def test_enterprise_api_base(mocked):
    provider = get_provider("github", "https://ghe.example.com/acme/app")
    mocked.get("https://ghe.example.com/api/v3/repos/acme/app/commits/main", body=SHA)
    assert provider.resolve_ref("main") == SHA
    assert "Authorization" not in mocked.calls[0].request.headers


@override_settings(TINYFORGE_GIT_ALLOWED_HOSTS=["ghe.example.com"])
def test_enterprise_plain_http_keeps_scheme():
    provider = get_provider("github", "http://ghe.example.com/acme/app")
    assert provider.api_base == "http://ghe.example.com/api/v3"


@pytest.mark.parametrize("url", [
    "https://github.com/acme", "https://github.com/acme/app/tree/main",
    "https://github.com/acme/app?tab=readme", "https://token@github.com/acme/app",
])
def test_bad_repository_urls(url):
    with pytest.raises(InvalidLocation):
        get_provider("github", url)


@pytest.mark.parametrize("branch", ["", "-x", "a..b", "a b", "main~1", "refs:x"])
def test_bad_branch_rejected(provider, branch):
    with pytest.raises(InvalidLocation):
        provider.resolve_ref(branch)


@pytest.mark.parametrize("path", [
    "", "/abs", "a//b", "a/../b", "./a", "a\\b", "a?b", "a#b", "a%2e", "-opt",
    "a\u202eb", "a\nb", "x" * 256,
])
def test_bad_path_rejected(provider, path):
    with pytest.raises(InvalidLocation):
        provider.download_file(path, SHA)


def test_bad_sha_rejected(provider):
    with pytest.raises(InvalidLocation):
        provider.download_file(".tinyforge.yml", "main")
