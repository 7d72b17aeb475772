"""Start-up configuration errors, checked in a fresh interpreter as an operator would meet them."""

from tests.manage_process import GOOD_KEY, production_env, run_manage


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
