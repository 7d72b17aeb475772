"""Secrets at rest: encryption, fail-closed decryption, rotation and the startup checks."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from tinyforge.crypto import DecryptionError, Sealed, decrypt, encrypt, reveal
from tinyforge.crypto.stored import count_undecryptable
from tinyforge.workloads.models import Workload, WorkloadEnv

OTHER_KEY = Fernet.generate_key().decode()


def raw_column(model, field, pk):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {field} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_encrypt_round_trip():
    stored = encrypt("ghp_secret")
    assert stored.startswith("fernet:")
    assert "ghp_secret" not in stored
    assert decrypt(stored) == "ghp_secret"


def test_decrypt_with_unknown_key_fails_closed():
    stored = encrypt("ghp_secret")
    with override_settings(TINYFORGE_ENCRYPTION_KEYS=[OTHER_KEY]):
        with pytest.raises(DecryptionError, match="no key in TINYFORGE_ENCRYPTION_KEYS"):
            decrypt(stored)


def test_decrypt_rejects_plain_text():
    with pytest.raises(DecryptionError, match="not a Tinyforge ciphertext"):
        decrypt("ghp_plaintext")


def test_token_is_stored_encrypted(make_workload):
    workload = make_workload(token="ghp_stored_secret")
    raw = raw_column(Workload, "repo_token", workload.pk)
    assert raw.startswith("fernet:")
    assert "ghp_stored_secret" not in raw

    loaded = Workload.objects.get(pk=workload.pk)
    assert isinstance(loaded.repo_token, Sealed)
    assert loaded.repo_token.reveal() == "ghp_stored_secret"
    assert reveal(loaded.repo_token) == "ghp_stored_secret"


def test_sealed_never_shows_secret_or_ciphertext(make_workload):
    workload = Workload.objects.get(pk=make_workload(token="ghp_hidden").pk)
    for text in (str(workload.repo_token), repr(workload.repo_token), f"{workload.repo_token}"):
        assert "ghp_hidden" not in text
        assert "fernet:" not in text


def test_empty_token_is_stored_empty(make_workload):
    workload = make_workload(token="")
    assert raw_column(Workload, "repo_token", workload.pk) == ""
    assert Workload.objects.get(pk=workload.pk).has_repo_token is False


def test_loaded_token_with_wrong_key_raises_on_reveal(make_workload):
    workload = make_workload(token="ghp_secret")
    with override_settings(TINYFORGE_ENCRYPTION_KEYS=[OTHER_KEY]):
        loaded = Workload.objects.get(pk=workload.pk)
        with pytest.raises(DecryptionError):
            loaded.repo_token.reveal()


def test_saving_unchanged_sealed_value_keeps_ciphertext(make_workload):
    workload = make_workload(token="ghp_secret")
    before = raw_column(Workload, "repo_token", workload.pk)
    loaded = Workload.objects.get(pk=workload.pk)
    loaded.save()
    assert raw_column(Workload, "repo_token", workload.pk) == before


def test_dumpdata_writes_ciphertext_and_loaddata_keeps_it(make_workload, tmp_path):
    workload = make_workload(token="ghp_dumped")
    out = io.StringIO()
    call_command("dumpdata", "workloads.workload", stdout=out)
    assert "ghp_dumped" not in out.getvalue()
    fixture = tmp_path / "dump.json"
    fixture.write_text(out.getvalue())
    Workload.objects.all().delete()
    call_command("loaddata", str(fixture), verbosity=0)
    assert Workload.objects.get(pk=workload.pk).repo_token.reveal() == "ghp_dumped"


def test_rotation_reencrypts_and_is_idempotent(make_workload):
    settings_keys = [OTHER_KEY]
    with override_settings(TINYFORGE_ENCRYPTION_KEYS=settings_keys):
        old = make_workload(token="ghp_old_key")
        env = WorkloadEnv.objects.create(
            workload=old, key="API_KEY", is_secret=True, secret_value="s3cret",
        )
    make_workload(token="")

    new_key = Fernet.generate_key().decode()
    with override_settings(TINYFORGE_ENCRYPTION_KEYS=[new_key, OTHER_KEY]):
        out = io.StringIO()
        call_command("rotate_encryption_keys", stdout=out)
        assert "Total: 2 rotated, 0 already current, 0 failed." in out.getvalue()

        out = io.StringIO()
        call_command("rotate_encryption_keys", stdout=out)
        assert "Total: 0 rotated, 2 already current, 0 failed." in out.getvalue()

    with override_settings(TINYFORGE_ENCRYPTION_KEYS=[new_key]):
        assert Workload.objects.get(pk=old.pk).repo_token.reveal() == "ghp_old_key"
        assert WorkloadEnv.objects.get(pk=env.pk).secret_value.reveal() == "s3cret"


def test_rotation_reports_undecryptable_values(make_workload):
    with override_settings(TINYFORGE_ENCRYPTION_KEYS=[OTHER_KEY]):
        workload = make_workload(token="ghp_lost")
    before = raw_column(Workload, "repo_token", workload.pk)
    with pytest.raises(CommandError, match="1 value\\(s\\) could not be decrypted"):
        call_command("rotate_encryption_keys", stdout=io.StringIO())
    assert raw_column(Workload, "repo_token", workload.pk) == before


def test_database_check_reports_undecryptable_secrets(make_workload):
    with override_settings(TINYFORGE_ENCRYPTION_KEYS=[OTHER_KEY]):
        make_workload(token="ghp_lost")
    assert count_undecryptable() == {"workloads.Workload.repo_token": 1}
    errors = run_checks(tags=["database"], databases=["default"])
    assert [error.id for error in errors] == ["tinyforge.E002"]
    assert errors[0].msg == (
        "1 stored value(s) in workloads.Workload.repo_token cannot be decrypted with any key "
        "in TINYFORGE_ENCRYPTION_KEYS."
    )


@pytest.mark.django_db
def test_missing_keys_is_a_system_check_error():
    with override_settings(TINYFORGE_ENCRYPTION_KEYS=[]):
        errors = run_checks(tags=["security"])
    assert "tinyforge.E001" in [error.id for error in errors]
