"""Start-up configuration errors, checked in a fresh interpreter as an operator would meet them."""

import os
import subprocess
import sys

from django.conf import settings

GOOD_KEY = "hZ3sQaQmB5OYw5NEIIbU6EyQKqVmi8r0Zwv1pSNZqVw="


def run_manage(*args, **env_overrides):
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "TINYFORGE_", "SECURE_", "SESSION_", "CSRF_"))
        and key not in ("DEBUG", "SECRET_KEY", "DATABASE_URL")
    }
    env.update({"TINYFORGE_ENV_FILE": "", "DJANGO_SETTINGS_MODULE": "tinyforge.settings"})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env,
        capture_output=True, text=True, timeout=120,
    )


def production_env(**extra):
    return {
        "SECRET_KEY": "x" * 60 + "-production-style-secret-key",
        "TINYFORGE_ENCRYPTION_KEYS": GOOD_KEY,
        "ALLOWED_HOSTS": "tinyforge.example.com",
        **extra,
    }


def test_missing_secret_key_is_a_clear_startup_error():
    result = run_manage("check", TINYFORGE_ENCRYPTION_KEYS=GOOD_KEY)
    assert result.returncode != 0
    assert "SECRET_KEY is not set." in result.stderr


def test_missing_encryption_keys_is_a_clear_startup_error():
    result = run_manage("check", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "TINYFORGE_ENCRYPTION_KEYS is not set." in result.stderr


def test_malformed_encryption_key_is_a_clear_startup_error():
    result = run_manage("check", **production_env(
        TINYFORGE_ENCRYPTION_KEYS=f"{GOOD_KEY},not-a-key"
    ))
    assert result.returncode != 0
    assert "TINYFORGE_ENCRYPTION_KEYS entry 2 is not a Fernet key" in result.stderr
    assert "not-a-key" not in result.stderr


def test_debug_without_keys_fails_system_check():
    result = run_manage("check", DEBUG="on")
    assert result.returncode != 0
    assert "tinyforge.E001" in result.stderr


def test_check_deploy_passes_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
