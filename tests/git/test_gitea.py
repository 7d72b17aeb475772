"""Gitea and Forgejo responses, mocked with ``responses`` behind the real address guard."""

import pytest
import responses

from tinyforge.git import (
    AuthFailed,
    FileNotFound,
    NotARegularFile,
    RateLimited,
    RefNotFound,
    RepoNotFoundOrNoAccess,
    TooLarge,
    UpstreamError,
    get_provider,
)

SHA = "c" * 40
API = "https://gitea.example.com/api/v1/repos/acme/app"
BRANCH = f"{API}/branches/feature/x"
RAW = f"{API}/raw/.tinyforge.yml?ref={SHA}"
CONTENTS = f"{API}/contents/.tinyforge.yml?ref={SHA}"


@pytest.fixture
def provider():
    return get_provider("gitea", "https://gitea.example.com/acme/app", "gitea-token")


def test_resolve_ref_success(mocked, provider):
    mocked.get(BRANCH, json={"name": "feature/x", "commit": {"id": SHA}})
    assert provider.resolve_ref("feature/x") == SHA
    assert mocked.calls[0].request.headers["Authorization"] == "token gitea-token"


def test_unchanged_ref_revalidated_with_304(mocked, provider):
    def branch(request):
        if request.headers.get("If-None-Match") == '"b1"':
            return 304, {}, b""
        return 200, {"ETag": '"b1"', "Content-Type": "application/json"}, (
            f'{{"commit": {{"id": "{SHA}"}}}}'
        )

    mocked.add_callback(responses.GET, BRANCH, callback=branch)
    assert provider.resolve_ref("feature/x") == SHA
    assert provider.resolve_ref("feature/x") == SHA
    assert mocked.calls[1].response.status_code == 304


def test_branch_missing(mocked, provider):
    mocked.get(BRANCH, status=404, json={"message": "branch does not exist"})
    mocked.get(API, json={"full_name": "acme/app"})
    with pytest.raises(RefNotFound):
        provider.resolve_ref("feature/x")


def test_repo_missing(mocked, provider):
    mocked.get(BRANCH, status=404, json={"message": "not found"})
    mocked.get(API, status=404, json={"message": "not found"})
    with pytest.raises(RepoNotFoundOrNoAccess):
        provider.resolve_ref("feature/x")


def test_bad_token(mocked, provider):
    mocked.get(BRANCH, status=401, json={"message": "token is required"})
    with pytest.raises(AuthFailed) as caught:
        provider.resolve_ref("feature/x")
    assert caught.value.message == (
        "Gitea rejected the repository token (HTTP 401); set a valid token for acme/app."
    )


def test_forbidden(mocked, provider):
    mocked.get(BRANCH, status=403, json={"message": "forbidden"})
    with pytest.raises(UpstreamError):
        provider.resolve_ref("feature/x")


def test_rate_limited(mocked, provider):
    mocked.get(BRANCH, status=429, headers={"Retry-After": "Wed, 01 Jan 2031 00:00:00 GMT"})
    with pytest.raises(RateLimited) as caught:
        provider.resolve_ref("feature/x")
    assert caught.value.retry_after.year == 2031


def test_server_error(mocked, provider):
    mocked.get(BRANCH, status=500)
    with pytest.raises(UpstreamError):
        provider.resolve_ref("feature/x")


def test_html_error_page(mocked, provider):
    mocked.get(BRANCH, status=404, body="<html>nginx</html>", content_type="text/html")
    mocked.get(API, status=502, body="<html>nginx</html>", content_type="text/html")
    with pytest.raises(UpstreamError):
        provider.resolve_ref("feature/x")


def test_download_success(mocked, provider):
    mocked.get(RAW, body=b"version: 1\n")
    assert provider.download_file(".tinyforge.yml", SHA) == b"version: 1\n"


def test_file_missing(mocked, provider):
    mocked.get(RAW, status=404)
    mocked.get(CONTENTS, status=404, json={"message": "not found"})
    mocked.get(API, json={"full_name": "acme/app"})
    with pytest.raises(FileNotFound):
        provider.download_file(".tinyforge.yml", SHA)


def test_download_repo_missing(mocked, provider):
    mocked.get(RAW, status=404)
    mocked.get(CONTENTS, status=404)
    mocked.get(API, status=404)
    with pytest.raises(RepoNotFoundOrNoAccess):
        provider.download_file(".tinyforge.yml", SHA)


@pytest.mark.parametrize(("body", "kind"), [
    ([{"type": "file", "name": "a"}], "a directory"),
    ({"type": "submodule", "submodule_git_url": "https://x/y"}, "a submodule"),
])
def test_not_a_regular_file(mocked, provider, body, kind):
    mocked.get(RAW, status=404)
    mocked.get(CONTENTS, json=body)
    with pytest.raises(NotARegularFile) as caught:
        provider.download_file(".tinyforge.yml", SHA)
    assert f"is {kind}, not a regular file" in caught.value.message


@pytest.mark.parametrize("header", ["X-Gitea-Object-Type", "X-Forgejo-Object-Type"])
def test_symlink_marked_by_object_type_header(mocked, provider, header):
    mocked.get(RAW, body=b"deploy/real.yml", headers={header: "symlink"})
    with pytest.raises(NotARegularFile) as caught:
        provider.download_file(".tinyforge.yml", SHA)
    assert caught.value.message == (
        ".tinyforge.yml is a symbolic link, not a regular file; set the path of the "
        "configuration file itself."
    )


def test_file_marked_by_object_type_header_is_read(mocked, provider):
    mocked.get(RAW, body=b"version: 1\n", headers={"X-Gitea-Object-Type": "file"})
    assert provider.download_file(".tinyforge.yml", SHA) == b"version: 1\n"


def test_oversize_with_content_length(mocked, provider):
    mocked.get(RAW, body=b"x" * 70_000, auto_calculate_content_length=True)
    with pytest.raises(TooLarge):
        provider.download_file(".tinyforge.yml", SHA)


def test_oversize_without_content_length(mocked, provider):
    mocked.get(RAW, body=b"x" * 70_000)
    with pytest.raises(TooLarge):
        provider.download_file(".tinyforge.yml", SHA)
