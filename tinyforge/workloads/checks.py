"""System checks for the field-encryption keys."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError

from tinyforge.crypto.stored import count_undecryptable


@register(Tags.security)
def check_encryption_keys_set(app_configs, **kwargs):
    if settings.TINYFORGE_ENCRYPTION_KEYS:
        return []
    return [Error(
        "TINYFORGE_ENCRYPTION_KEYS is not set, so repository tokens and secret values cannot "
        "be stored or read.",
        hint='Generate a key with `python -c "from cryptography.fernet import Fernet; '
        'print(Fernet.generate_key().decode())"` and set it in the environment or in .env.',
        id="tinyforge.E001",
    )]


@register(Tags.database)
def check_stored_secrets_decrypt(app_configs, databases=None, **kwargs):
    if not databases or not settings.TINYFORGE_ENCRYPTION_KEYS:
        return []
    try:
        failures = count_undecryptable()
    except DatabaseError:
        # Tables not migrated yet: there is nothing stored to check.
        return []
    return [
        Error(
            f"{count} stored value(s) in {column} cannot be decrypted with any key in "
            "TINYFORGE_ENCRYPTION_KEYS.",
            hint="Add the key they were encrypted with back to the list, after the newest key, "
            "then run `manage.py rotate_encryption_keys`.",
            id="tinyforge.E002",
        )
        for column, count in sorted(failures.items())
    ]
