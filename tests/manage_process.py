"""Run manage.py and other project commands in a fresh interpreter, as an operator would."""

import os
import subprocess
import sys

from django.conf import settings

GOOD_KEY = "hZ3sQaQmB5OYw5NEIIbU6EyQKqVmi8r0Zwv1pSNZqVw="

# Settings a developer's shell or CI may export; a child process starts without them.
SETTING_PREFIXES = ("DJANGO_", "TINYFORGE_", "SECURE_", "SESSION_", "CSRF_")
SETTING_NAMES = frozenset({
    "DEBUG", "SECRET_KEY", "DATABASE_URL", "CACHE_URL", "STATIC_ROOT", "ALLOWED_HOSTS",
    "LOG_LEVEL", "WEB_CONCURRENCY",
})


def subprocess_env(**env_overrides):
    """Return this process's environment without Tinyforge settings, plus ``env_overrides``."""
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(SETTING_PREFIXES) and key not in SETTING_NAMES
    }
    env.update({"TINYFORGE_ENV_FILE": "", "DJANGO_SETTINGS_MODULE": "tinyforge.settings"})
    env.update(env_overrides)
    return env


def run_manage(*args, **env_overrides):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR,
        env=subprocess_env(**env_overrides), capture_output=True, text=True, timeout=120,
    )


def production_env(**extra):
    return {
        "SECRET_KEY": "x" * 60 + "-production-style-secret-key",
        "TINYFORGE_ENCRYPTION_KEYS": GOOD_KEY,
        "ALLOWED_HOSTS": "tinyforge.example.com",
        **extra,
    }
