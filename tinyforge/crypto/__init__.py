"""Encryption of secrets at rest with dedicated Fernet keys.

The keys come from ``TINYFORGE_ENCRYPTION_KEYS`` (newest first) and are never
derived from ``SECRET_KEY``. Decryption fails closed: a value that no
configured key can decrypt raises :class:`DecryptionError`; ciphertext is never
returned in place of the secret.
"""

from tinyforge.crypto.keys import (
    DecryptionError,
    EncryptionNotConfigured,
    Sealed,
    decrypt,
    encrypt,
    is_encrypted_with_newest_key,
    reveal,
    rotate,
)

__all__ = [
    "DecryptionError",
    "EncryptionNotConfigured",
    "Sealed",
    "decrypt",
    "encrypt",
    "is_encrypted_with_newest_key",
    "reveal",
    "rotate",
]
