"""The git provider against real repositories, read through file:// and git http-backend."""

import os
import subprocess
import tempfile
import time

import pytest
from django.test import override_settings

from tests.git.servers import git_server, http_server
from tinyforge.git import (
    AddressBlocked,
    FileNotFound,
    NotARegularFile,
    RefNotFound,
    RepoNotFoundOrNoAccess,
    Timeout,
    TooLarge,
    get_provider,
)

ALLOW_FILE = override_settings(TINYFORGE_GIT_ALLOW_FILE_URLS=True)
ALLOW_LOOPBACK = override_settings(TINYFORGE_GIT_ALLOWED_HOSTS=["127.0.0.1"])


def git(*arguments, cwd):
    environment = {
        "PATH": os.environ["PATH"], "HOME": str(cwd), "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
    }
    return subprocess.run(["git", *arguments], cwd=cwd, env=environment, check=True,
                          capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def repository(tmp_path_factory):
    """A bare repository with history, a slashed branch, a symlink and a submodule entry."""
    root = tmp_path_factory.mktemp("git")
    work = root / "work"
    work.mkdir()
    git("init", "-q", "-b", "main", cwd=work)
    (work / ".tinyforge.yml").write_text("version: 1\n")
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "First", cwd=work)
    first = git("rev-parse", "HEAD", cwd=work)
    (work / "deploy").mkdir()
    (work / "deploy" / "app.yml").write_text("version: 1\ndeploy: {port: 8080}\n")
    (work / ".tinyforge.yml").write_text("version: 1\ndeploy: {}\n")
    (work / "large.bin").write_bytes(os.urandom(70_000))
    os.symlink(".tinyforge.yml", work / "link.yml")
    git("add", ".", cwd=work)
    git("update-index", "--add", "--cacheinfo", f"160000,{first},vendor/lib", cwd=work)
    git("commit", "-q", "-m", "Second", cwd=work)
    main = git("rev-parse", "HEAD", cwd=work)
    git("checkout", "-q", "-b", "feature/x", cwd=work)
    (work / ".tinyforge.yml").write_text("version: 1\ndeploy: {max_instances: 2}\n")
    git("commit", "-q", "-am", "Feature", cwd=work)
    feature = git("rev-parse", "HEAD", cwd=work)
    served = root / "served"
    served.mkdir()
    bare = served / "app.git"
    git("clone", "-q", "--bare", str(work), str(bare), cwd=root)
    git("config", "uploadpack.allowFilter", "true", cwd=bare)
    return {"root": served, "bare": bare, "first": first, "main": main, "feature": feature}


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Point tempfile at an empty folder, so a test can see that nothing is left behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def file_provider(repository, token=""):
    return get_provider("git", f"file://{repository['bare']}", token)


def test_file_url_refused_by_default(repository):
    with pytest.raises(AddressBlocked) as caught:
        file_provider(repository).resolve_ref("main")
    assert caught.value.message == (
        "file:// repositories are disabled; an operator can enable them with "
        "TINYFORGE_GIT_ALLOW_FILE_URLS."
    )


@ALLOW_FILE
def test_file_url_reads_file_at_sha(repository, private_tmp):
    provider = file_provider(repository)
    assert provider.resolve_ref("main") == repository["main"]
    content = provider.download_file(".tinyforge.yml", repository["main"])
    assert content == b"version: 1\ndeploy: {}\n"
    assert provider.download_file(".tinyforge.yml", repository["first"]) == b"version: 1\n"
    assert list(private_tmp.iterdir()) == []


@ALLOW_FILE
def test_branch_with_slash(repository):
    provider = file_provider(repository)
    sha = provider.resolve_ref("feature/x")
    assert sha == repository["feature"]
    assert b"max_instances" in provider.download_file(".tinyforge.yml", sha)


@ALLOW_FILE
def test_file_in_subdirectory(repository):
    content = file_provider(repository).download_file("deploy/app.yml", repository["main"])
    assert content == b"version: 1\ndeploy: {port: 8080}\n"


@ALLOW_FILE
@pytest.mark.parametrize(("path", "kind"), [
    ("link.yml", "a symbolic link"),
    ("vendor/lib", "a submodule"),
    ("deploy", "a directory"),
])
def test_not_a_regular_file(repository, path, kind):
    with pytest.raises(NotARegularFile) as caught:
        file_provider(repository).download_file(path, repository["main"])
    assert caught.value.message == (
        f"{path} is {kind}, not a regular file; set the path of the configuration file itself."
    )


@ALLOW_FILE
def test_file_missing(repository, private_tmp):
    with pytest.raises(FileNotFound) as caught:
        file_provider(repository).download_file("missing.yml", repository["main"])
    assert caught.value.status == "no_file"
    assert list(private_tmp.iterdir()) == []


@ALLOW_FILE
def test_file_missing_at_older_commit(repository):
    with pytest.raises(FileNotFound):
        file_provider(repository).download_file("deploy/app.yml", repository["first"])


@ALLOW_FILE
def test_too_large(repository):
    with pytest.raises(TooLarge):
        file_provider(repository).download_file("large.bin", repository["main"])


@ALLOW_FILE
def test_branch_missing(repository):
    with pytest.raises(RefNotFound) as caught:
        file_provider(repository).resolve_ref("nope")
    assert "'nope' was not found in file://" in caught.value.message


@ALLOW_FILE
def test_commit_missing(repository):
    with pytest.raises(RefNotFound):
        file_provider(repository).download_file(".tinyforge.yml", "d" * 40)


@ALLOW_FILE
def test_repository_missing(tmp_path):
    provider = get_provider("git", f"file://{tmp_path}/nothing.git")
    with pytest.raises(RepoNotFoundOrNoAccess):
        provider.resolve_ref("main")


def test_http_remote_refused_by_default(repository):
    with git_server(str(repository["root"])) as server:
        with pytest.raises(AddressBlocked):
            get_provider("git", f"{server.url}/app.git").resolve_ref("main")
        assert server.accepted == 0


def test_private_host_refused_before_git_starts():
    provider = get_provider("git", "https://private.example.com/app.git")
    with pytest.raises(AddressBlocked) as caught:
        provider.resolve_ref("main")
    assert "private.example.com resolves to a private address" in caught.value.message


@ALLOW_LOOPBACK
def test_http_backend_reads_file(repository, private_tmp):
    with git_server(str(repository["root"])) as server:
        provider = get_provider("git", f"{server.url}/app.git", "git-token")
        sha = provider.resolve_ref("feature/x")
        content = provider.download_file(".tinyforge.yml", sha)
        headers = [request["headers"] for request in server.requests]
    assert sha == repository["feature"]
    assert content == b"version: 1\ndeploy: {max_instances: 2}\n"
    assert all(h.get("Authorization", "").startswith("Basic ") for h in headers)
    assert list(private_tmp.iterdir()) == []


@ALLOW_LOOPBACK
def test_http_backend_symlink_and_missing(repository):
    with git_server(str(repository["root"])) as server:
        provider = get_provider("git", f"{server.url}/app.git")
        with pytest.raises(NotARegularFile):
            provider.download_file("link.yml", repository["main"])
        with pytest.raises(FileNotFound):
            provider.download_file("missing.yml", repository["main"])


@ALLOW_LOOPBACK
def test_http_backend_repository_missing(repository):
    with git_server(str(repository["root"])) as server:
        provider = get_provider("git", f"{server.url}/other.git")
        with pytest.raises(RepoNotFoundOrNoAccess):
            provider.resolve_ref("main")


@override_settings(TINYFORGE_GIT_ALLOWED_HOSTS=["127.0.0.1"], TINYFORGE_GIT_TOTAL_TIMEOUT=1)
def test_stalled_git_server_times_out():
    def respond(handler):
        time.sleep(3)

    with http_server(respond) as server:
        provider = get_provider("git", f"{server.url}/app.git")
        started = time.monotonic()
        with pytest.raises(Timeout) as caught:
            provider.resolve_ref("main")
    assert time.monotonic() - started < 2.5
    assert caught.value.message == (
        "git did not finish within 1 seconds (TINYFORGE_GIT_TOTAL_TIMEOUT)."
    )


@ALLOW_LOOPBACK
def test_redirect_not_followed(repository):
    with git_server(str(repository["root"])) as target:
        def respond(handler):
            handler.send_body(301, b"", {"Location": f"{target.url}{handler.path}"})

        with http_server(respond) as server:
            provider = get_provider("git", f"{server.url}/app.git")
            with pytest.raises(Exception) as caught:
                provider.resolve_ref("main")
        assert target.accepted == 0
    assert caught.value.status == "fetch_failed"
