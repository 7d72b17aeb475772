"""Fernet encryption with the configured key list."""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

# Stored values carry this prefix, so a dump and reload never encrypts a
# ciphertext a second time and a stray plaintext is never taken for one.
CIPHERTEXT_PREFIX = "fernet:"


class EncryptionNotConfigured(Exception):
    """Raised when a secret must be encrypted or decrypted but no key is configured."""


class DecryptionError(Exception):
    """Raised when no configured key can decrypt a stored value."""


@lru_cache(maxsize=8)
def _fernets(keys: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    fernets = [Fernet(key) for key in keys]
    return MultiFernet(fernets), fernets[0]


def _configured() -> tuple[MultiFernet, Fernet]:
    keys = tuple(settings.TINYFORGE_ENCRYPTION_KEYS)
    if not keys:
        raise EncryptionNotConfigured(
            "TINYFORGE_ENCRYPTION_KEYS is empty, so secrets cannot be encrypted or decrypted; "
            "set it to one or more Fernet keys, newest first."
        )
    return _fernets(keys)


def encrypt(plaintext: str) -> str:
    """Encrypt ``plaintext`` with the newest key and return the stored form."""
    multi, _newest = _configured()
    return CIPHERTEXT_PREFIX + multi.encrypt(plaintext.encode("utf-8")).decode("ascii")


def _token(stored: str) -> bytes:
    if not stored.startswith(CIPHERTEXT_PREFIX):
        raise DecryptionError("the stored value is not a Tinyforge ciphertext")
    return stored[len(CIPHERTEXT_PREFIX) :].encode("ascii")


def decrypt(stored: str) -> str:
    """Decrypt a stored value with whichever configured key encrypted it."""
    multi, _newest = _configured()
    try:
        return multi.decrypt(_token(stored)).decode("utf-8")
    except (InvalidToken, UnicodeError):
        raise DecryptionError(
            "no key in TINYFORGE_ENCRYPTION_KEYS decrypts this value; add the key it was "
            "encrypted with back to the list (after the newest key), or set the secret again"
        ) from None


def is_encrypted_with_newest_key(stored: str) -> bool:
    """Tell whether the newest key alone decrypts ``stored``."""
    _multi, newest = _configured()
    try:
        newest.decrypt(_token(stored))
    except (InvalidToken, DecryptionError):
        return False
    return True


def rotate(stored: str) -> str:
    """Re-encrypt a stored value with the newest key, keeping its Fernet timestamp."""
    multi, _newest = _configured()
    try:
        rotated = multi.rotate(_token(stored))
    except InvalidToken:
        raise DecryptionError(
            "no key in TINYFORGE_ENCRYPTION_KEYS decrypts this value, so it cannot be rotated"
        ) from None
    return CIPHERTEXT_PREFIX + rotated.decode("ascii")


class Sealed:
    """An encrypted value loaded from the database, decrypted only on ``reveal()``.

    Its ``str`` and ``repr`` never show the secret or the ciphertext, so a
    template, a log line or an error report that touches it reveals nothing.
    """

    __slots__ = ("ciphertext",)

    def __init__(self, ciphertext: str):
        self.ciphertext = ciphertext

    def reveal(self) -> str:
        return decrypt(self.ciphertext)

    def __str__(self) -> str:
        return "[encrypted]"

    def __repr__(self) -> str:
        return "<Sealed secret>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.ciphertext == self.ciphertext

    def __hash__(self) -> int:
        return hash(self.ciphertext)


def reveal(value: "Sealed | str | None") -> str:
    """Return the plaintext of a field value: a loaded ``Sealed``, a newly set ``str`` or empty."""
    if isinstance(value, Sealed):
        return value.reveal()
    return value or ""
