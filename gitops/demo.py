"""Demo repositories and workloads that show every GitOps state.

``manage.py gitops_demo`` creates real git repositories under ``var/`` and
points demo workloads at them through ``file://`` URLs, which the ``git``
provider reads only when TINYFORGE_GIT_ALLOW_FILE_URLS is on (the demo's
``.env`` turns it on).
"""

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from gitops import services
from tinyforge.workloads.models import Workload

DEMO_ACTOR = "manage.py gitops_demo"
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Tinyforge Demo", "GIT_AUTHOR_EMAIL": "demo@tinyforge.invalid",
    "GIT_COMMITTER_NAME": "Tinyforge Demo", "GIT_COMMITTER_EMAIL": "demo@tinyforge.invalid",
}

IN_SYNC_FILE = """\
version: 1
deploy:
  port: 8080
  healthcheck: /healthz
  deploy_strategy: blue-green
  resources: { cpu_limit: 0.5, memory_limit: 256 }
  max_instances: 2
"""

DRIFTED_FILE = """\
version: 1
deploy:
  port: 9090
  healthcheck: /health/ready
  max_instances: 3
"""

INVALID_FILE = """\
version: 1
deploy:
  port: 08080
  replicas: 2
  deploy_strategy: off
"""

MERGE_INVALID_FILE = """\
version: 1
deploy:
  deploy_strategy: blue-green
"""

STATIC_FILE = """\
version: 1
deploy:
  deploy_strategy: recreate
"""


@dataclass(frozen=True)
class DemoWorkload:
    name: str
    source_type: str
    config: dict
    commits: tuple[tuple[str, dict[str, str]], ...]
    enabled: bool


def _dockerfile_config(**fields) -> dict:
    return {"provider": "git", "branch": "main", "dockerfile_path": "Dockerfile",
            "build_context": ".", **fields}


BASE_COMMITS = (
    ("Add the app", {"Dockerfile": "FROM python:3.11-slim\nCMD [\"python\", \"-m\", "
                                   "\"http.server\", \"8080\"]\n",
                     "README.md": "# Demo app\n"}),
)

DEMO_WORKLOADS = (
    DemoWorkload("shop-api", "dockerfile", _dockerfile_config(
        port=8080, healthcheck="/healthz", deploy_strategy="blue-green",
        resources={"cpu_limit": 0.5, "memory_limit": 256}, max_instances=2,
    ), (*BASE_COMMITS, ("Add .tinyforge.yml", {".tinyforge.yml": IN_SYNC_FILE}),
        ("Document the deploy config", {"README.md": "# Demo app\n\nDeploys with Tinyforge.\n"})),
        enabled=True),
    DemoWorkload("billing", "dockerfile", _dockerfile_config(
        port=8080, healthcheck="/healthz", max_instances=1,
    ), (*BASE_COMMITS, ("Add .tinyforge.yml", {".tinyforge.yml": IN_SYNC_FILE}),
        ("Move to port 9090 with three instances", {".tinyforge.yml": DRIFTED_FILE})),
        enabled=True),
    DemoWorkload("broken-file", "dockerfile", _dockerfile_config(port=8080), (
        *BASE_COMMITS, ("Add a .tinyforge.yml with mistakes", {".tinyforge.yml": INVALID_FILE}),
    ), enabled=True),
    DemoWorkload("no-healthcheck", "dockerfile", _dockerfile_config(port=8080), (
        *BASE_COMMITS, ("Switch to blue-green", {".tinyforge.yml": MERGE_INVALID_FILE}),
    ), enabled=True),
    DemoWorkload("landing-page", "static", {
        "provider": "git", "branch": "main", "publish_dir": "public", "build_command": "",
        "deploy_strategy": "recreate",
    }, (("Add the page", {"public/index.html": "<h1>Hello</h1>\n"}),), enabled=True),
    DemoWorkload("docs-site", "static", {
        "provider": "git", "branch": "main", "publish_dir": "public",
        "build_command": "make html", "deploy_strategy": "",
    }, (("Add the docs", {"index.md": "# Docs\n"}),
        ("Add .tinyforge.yml", {".tinyforge.yml": STATIC_FILE})), enabled=False),
)


def repos_dir() -> Path:
    return Path(settings.VAR_DIR) / "demo-repos"


def _git(repo: Path, *args: str) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(repo),
           "GIT_CONFIG_NOSYSTEM": "1", **GIT_IDENTITY}
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True,
                   timeout=60)


def create_repo(path: Path, commits) -> bool:
    """Create a repository with one commit per entry; return False if it exists already."""
    if (path / ".git").is_dir():
        return False
    path.mkdir(parents=True, exist_ok=True)
    _git(path, "init", "--quiet", "--initial-branch=main")
    for message, files in commits:
        for name, text in files.items():
            target = path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        _git(path, "add", "--all")
        _git(path, "commit", "--quiet", "-m", message)
    return True


def set_up(log=print) -> None:
    """Create the demo repositories and workloads; what exists already is kept."""
    for demo in DEMO_WORKLOADS:
        repo = repos_dir() / demo.name
        if create_repo(repo, demo.commits):
            count = len(demo.commits)
            log(f"Created repository {repo} ({count} commit{'s' if count != 1 else ''}).")
        config = {**demo.config, "repo_url": repo.resolve().as_uri()}
        workload, created = Workload.objects.get_or_create(
            name=demo.name, defaults={"source_type": demo.source_type, "source_config": config},
        )
        adopted = not created and workload.source_config.get("provider") != "git"
        if adopted:
            # A fixture workload that still points at a public host: use the local repo.
            workload.source_config = {**workload.source_config, **config}
            workload.save(update_fields=["source_config", "updated_at"])
        if (created or adopted) and demo.enabled:
            services.enable_gitops(workload, actor=DEMO_ACTOR)
        if workload.gitops_enabled:
            # Fill the status cache, so the workloads list shows each state at once.
            services.get_status(workload)
        log(f"{'Created' if created else 'Kept'} workload {demo.name}.")
