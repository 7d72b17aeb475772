import subprocess

import pytest
from django.test import override_settings

from tests.outbound import keep_on_loopback


@pytest.fixture
def outbound(monkeypatch):
    """Keep the test on loopback: see ``tests/outbound.py``; yields the refused attempts."""
    yield from keep_on_loopback(monkeypatch)


@pytest.fixture
def make_workload(db):
    """Create a workload with a valid config for its source type, overriding any field."""
    from tinyforge.sources import get_source
    from tinyforge.workloads.models import Workload

    counter = {"n": 0}

    def factory(name=None, source_type="dockerfile", token="", **config):
        counter["n"] += 1
        base = dict(get_source(source_type).defaults)
        if source_type in ("dockerfile", "static"):
            base["repo_url"] = "https://github.com/acme/app"
        elif source_type == "image":
            base["image"] = "nginx:1.27"
        else:
            base["compose"] = "services: {}\n"
        base.update(config)
        return Workload.objects.create(
            name=name or f"app-{counter['n']}", source_type=source_type,
            source_config=base, repo_token=token,
        )

    return factory


GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@tinyforge.invalid",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@tinyforge.invalid",
    "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/local/bin:/usr/bin:/bin",
}


class GitRepo:
    """A real repository on disk that a test commits to."""

    def __init__(self, path):
        self.path = path
        path.mkdir(parents=True)
        self.git("init", "--quiet", "--initial-branch=main")

    def git(self, *args):
        return subprocess.run(
            ["git", *args], cwd=self.path, env={**GIT_ENV, "HOME": str(self.path)},
            check=True, capture_output=True, text=True, timeout=60,
        ).stdout.strip()

    @property
    def url(self):
        return self.path.resolve().as_uri()

    def commit(self, files, message="Change files"):
        for name, text in files.items():
            target = self.path / name
            if text is None:
                target.unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)
        return self.head()

    def head(self):
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def allow_file_urls():
    with override_settings(TINYFORGE_GIT_ALLOW_FILE_URLS=True):
        yield


@pytest.fixture
def clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def git_repo(tmp_path):
    counter = {"n": 0}

    def factory(files=None, message="Initial commit"):
        counter["n"] += 1
        repo = GitRepo(tmp_path / f"repo-{counter['n']}")
        repo.commit(files or {"README.md": "# app\n"}, message)
        return repo

    return factory


LIVE_DOCKERFILE = {
    "provider": "git", "branch": "main", "dockerfile_path": "Dockerfile", "build_context": ".",
    "port": 8080, "healthcheck": "/healthz", "max_instances": 1,
}

LIVE_STATIC = {
    "provider": "git", "branch": "main", "publish_dir": "public", "build_command": "",
}


@pytest.fixture
def gitops_workload(db, git_repo):
    """Create a workload whose repository contains ``file_text`` and enable GitOps on it."""
    from gitops import services
    from tinyforge.workloads.models import Workload

    counter = {"n": 0}

    def factory(file_text=None, source_type="dockerfile", enabled=True, path=".tinyforge.yml",
                name=None, **live):
        counter["n"] += 1
        files = {"README.md": "# app\n"}
        if file_text is not None:
            files[path] = file_text
        repo = git_repo(files)
        base = LIVE_DOCKERFILE if source_type == "dockerfile" else LIVE_STATIC
        workload = Workload.objects.create(
            name=name or f"app-{counter['n']}", source_type=source_type,
            source_config={**base, "repo_url": repo.url, **live},
        )
        if enabled:
            services.configure_gitops(workload, actor="test", enabled=True, path=path)
        workload.repo = repo
        return workload

    return factory


@pytest.fixture(autouse=True)
def _reset_language():
    """Start and end every test in the default language, whatever a test activated."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
