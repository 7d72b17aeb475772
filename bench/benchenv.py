"""Settings and data shared by the benchmarks that run Tinyforge against the fake forge.

Each benchmark uses a throwaway SQLite database in a temporary directory and
passes its settings to child processes through the environment, the way an
operator configures ``manage.py``.
"""

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token-0123456789"
ENCRYPTION_KEY = "hZ3sQaQmB5OYw5NEIIbU6EyQKqVmi8r0Zwv1pSNZqVw="
# The live config every benchmark workload starts with; bench/fake_forge.py
# serves a file that declares the same values, so a check finds no drift.
LIVE_CONFIG = {
    "provider": "gitea",
    "branch": "main",
    "dockerfile_path": "Dockerfile",
    "build_context": ".",
    "port": 8080,
    "healthcheck": "/healthz",
    "max_instances": 1,
}


def settings_environment(database_path: Path, **overrides: str) -> dict[str, str]:
    """Return the process environment for Tinyforge settings, with no .env file read."""
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "TINYFORGE_")) and key not in ("DATABASE_URL",
                                                                       "CACHE_URL")
    }
    env.update({
        "DJANGO_SETTINGS_MODULE": "tinyforge.settings",
        "TINYFORGE_ENV_FILE": "",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "TINYFORGE_ENCRYPTION_KEYS": ENCRYPTION_KEY,
        "DATABASE_URL": f"sqlite:///{database_path}",
        "TINYFORGE_GIT_ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "off",
        "LOG_LEVEL": "WARNING",
    })
    env.update(overrides)
    return env


def setup_django(env: dict[str, str]) -> None:
    """Load Tinyforge's settings from ``env`` into this process and migrate the database."""
    os.environ.update(env)
    sys.path.insert(0, str(REPO_ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", verbosity=0)


def create_workloads(forge_url: str, count: int, start: int = 0) -> None:
    """Create ``count`` GitOps-enabled dockerfile workloads, each with its own repository."""
    from tinyforge.workloads.models import Workload

    Workload.objects.bulk_create(
        (
            Workload(
                name=f"app-{number:05d}", source_type="dockerfile",
                source_config={**LIVE_CONFIG, "repo_url": f"{forge_url}/acme/app-{number:05d}"},
                repo_token=TOKEN, gitops_enabled=True,
            )
            for number in range(start, start + count)
        ),
        batch_size=500,
    )


def manage_command(*args: str) -> list[str]:
    return [sys.executable, str(REPO_ROOT / "manage.py"), *args]
