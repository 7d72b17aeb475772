"""A model field that stores text encrypted with the configured Fernet keys."""

from django.db import models

from tinyforge.crypto.keys import CIPHERTEXT_PREFIX, Sealed, encrypt


class EncryptedTextField(models.TextField):
    """Text encrypted at rest. Loaded values are :class:`Sealed`; assign a ``str`` to set one.

    An empty string means "no secret" and is stored as an empty string, not
    encrypted, so "is a token set?" needs no key.
    """

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or value == "":
            return ""
        if isinstance(value, Sealed):
            return value
        if isinstance(value, str) and value.startswith(CIPHERTEXT_PREFIX):
            return Sealed(value)
        return value

    def get_prep_value(self, value):
        value = self.to_python(value)
        if isinstance(value, Sealed):
            return value.ciphertext
        if value == "":
            return ""
        return encrypt(str(value))

    def value_to_string(self, obj):
        # Serializers (dumpdata) write the ciphertext, never the plaintext.
        value = self.value_from_object(obj)
        return self.get_prep_value(value)
