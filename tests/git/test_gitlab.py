"""GitLab responses, mocked with ``responses`` behind the real address guard."""

import pytest
import responses

from tinyforge.git import (
    AddressBlocked,
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

SHA = "b" * 40
PROJECT = "https://gitlab.example.com/api/v4/projects/group%2Fsub%2Fapp"
COMMITS = f"{PROJECT}/repository/commits/feature%2Fx"
RAW = f"{PROJECT}/repository/files/deploy%2F.tinyforge.yml/raw?ref={SHA}"
TREE = f"{PROJECT}/repository/tree?path=deploy%2F.tinyforge.yml&ref={SHA}&per_page=1"


@pytest.fixture
def provider():
    return get_provider("gitlab", "https://gitlab.example.com/group/sub/app.git", "glpat-test")


def test_resolve_ref_success(mocked, provider):
    mocked.get(COMMITS, json={"id": SHA, "title": "Deploy"})
    assert provider.resolve_ref("feature/x") == SHA
    assert mocked.calls[0].request.headers["Authorization"] == "Bearer glpat-test"


def test_unchanged_ref_revalidated_with_304(mocked, provider):
    def commits(request):
        if request.headers.get("If-None-Match") == 'W/"c1"':
            return 304, {}, b""
        return 200, {"ETag": 'W/"c1"', "Content-Type": "application/json"}, f'{{"id":"{SHA}"}}'

    mocked.add_callback(responses.GET, COMMITS, callback=commits)
    assert provider.resolve_ref("feature/x") == SHA
    assert provider.resolve_ref("feature/x") == SHA
    assert mocked.calls[1].response.status_code == 304


def test_branch_missing(mocked, provider):
    mocked.get(COMMITS, status=404, json={"message": "404 Commit Not Found"})
    with pytest.raises(RefNotFound) as caught:
        provider.resolve_ref("feature/x")
    assert caught.value.message == (
        "'feature/x' was not found in group/sub/app; check the branch name."
    )


def test_repo_missing(mocked, provider):
    mocked.get(COMMITS, status=404, json={"message": "404 Project Not Found"})
    with pytest.raises(RepoNotFoundOrNoAccess) as caught:
        provider.resolve_ref("feature/x")
    assert caught.value.message == (
        "group/sub/app was not found on GitLab, or the token cannot read it; check the "
        "repository URL and the token's access."
    )


def test_bad_token(mocked, provider):
    mocked.get(COMMITS, status=401, json={"message": "401 Unauthorized"})
    with pytest.raises(AuthFailed):
        provider.resolve_ref("feature/x")


def test_forbidden(mocked, provider):
    mocked.get(COMMITS, status=403, json={"message": "403 Forbidden"})
    with pytest.raises(UpstreamError) as caught:
        provider.resolve_ref("feature/x")
    assert "GitLab answered HTTP 403 while resolving branch 'feature/x'" in caught.value.message


def test_rate_limited(mocked, provider):
    mocked.get(COMMITS, status=429, headers={"Retry-After": "30", "RateLimit-Reset": "1"})
    with pytest.raises(RateLimited) as caught:
        provider.resolve_ref("feature/x")
    assert caught.value.retry_after is not None


def test_server_error(mocked, provider):
    mocked.get(COMMITS, status=502, body="<html>Bad gateway</html>", content_type="text/html")
    with pytest.raises(UpstreamError) as caught:
        provider.resolve_ref("feature/x")
    assert caught.value.message == "GitLab returned a server error (HTTP 502); try again later."


def test_html_page_instead_of_json(mocked, provider):
    mocked.get(COMMITS, body="<html>login</html>", content_type="text/html")
    with pytest.raises(UpstreamError) as caught:
        provider.resolve_ref("feature/x")
    assert "GitLab answered an HTML page" in caught.value.message


def test_download_success(mocked, provider):
    mocked.get(RAW, body=b"version: 1\n", content_type="text/plain")
    assert provider.download_file("deploy/.tinyforge.yml", SHA) == b"version: 1\n"


def test_file_missing(mocked, provider):
    mocked.get(RAW, status=404, json={"message": "404 File Not Found"})
    mocked.get(TREE, json=[])
    with pytest.raises(FileNotFound) as caught:
        provider.download_file("deploy/.tinyforge.yml", SHA)
    assert caught.value.status == "no_file"


def test_directory_at_path(mocked, provider):
    mocked.get(RAW, status=404, json={"message": "404 File Not Found"})
    mocked.get(TREE, json=[{"name": "a.yml", "type": "blob", "mode": "100644"}])
    with pytest.raises(NotARegularFile) as caught:
        provider.download_file("deploy/.tinyforge.yml", SHA)
    assert "is a directory, not a regular file" in caught.value.message


def test_download_repo_missing(mocked, provider):
    mocked.get(RAW, status=404, json={"message": "404 Project Not Found"})
    with pytest.raises(RepoNotFoundOrNoAccess):
        provider.download_file("deploy/.tinyforge.yml", SHA)


def test_download_commit_missing(mocked, provider):
    mocked.get(RAW, status=404, json={"message": "404 Commit Not Found"})
    with pytest.raises(RefNotFound):
        provider.download_file("deploy/.tinyforge.yml", SHA)


def test_oversize_with_content_length(mocked, provider):
    mocked.get(RAW, body=b"x" * 70_000, auto_calculate_content_length=True)
    with pytest.raises(TooLarge):
        provider.download_file("deploy/.tinyforge.yml", SHA)


def test_oversize_without_content_length(mocked, provider):
    mocked.get(RAW, body=b"x" * 70_000)
    with pytest.raises(TooLarge):
        provider.download_file("deploy/.tinyforge.yml", SHA)


def test_guard_runs_before_mocked_transport(mocked):
    provider = get_provider("gitlab", "https://private.example.com/group/app")
    mocked.get("https://private.example.com/api/v4/projects/group%2Fapp/repository/commits/main",
               json={"id": SHA})
    with pytest.raises(AddressBlocked):
        provider.resolve_ref("main")
    assert len(mocked.calls) == 0
