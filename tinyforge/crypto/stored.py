"""Checks and rotation over every encrypted column in the database."""

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction

from tinyforge.crypto.fields import EncryptedTextField
from tinyforge.crypto.keys import (
    DecryptionError,
    decrypt,
    is_encrypted_with_newest_key,
    rotate,
)


def encrypted_columns() -> Iterator[tuple[type, str]]:
    """Yield (model, field name) for every EncryptedTextField of every installed model."""
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, EncryptedTextField):
                yield model, model_field.name


def _stored_values(model: type, field_name: str) -> Iterator[tuple[object, str]]:
    """Yield (pk, raw stored text) of every non-empty value, without loading models."""
    # .values_list() goes through from_db_value, which wraps the text in Sealed.
    rows = model._default_manager.exclude(**{field_name: ""}).values_list("pk", field_name)
    for pk, value in rows.iterator(chunk_size=500):
        yield pk, getattr(value, "ciphertext", value)


def count_undecryptable() -> dict[str, int]:
    """Count, per ``app_label.Model.field``, the stored values no configured key decrypts."""
    failures: dict[str, int] = {}
    for model, field_name in encrypted_columns():
        for _pk, stored in _stored_values(model, field_name):
            try:
                decrypt(stored)
            except DecryptionError:
                label = f"{model._meta.label}.{field_name}"
                failures[label] = failures.get(label, 0) + 1
    return failures


@dataclass
class RotationReport:
    """Counts of one rotation run, per column and in total."""

    rotated: int = 0
    current: int = 0
    failed: int = 0
    columns: dict[str, dict[str, int]] = field(default_factory=dict)


def rotate_all() -> RotationReport:
    """Re-encrypt with the newest key every stored value that another key encrypted.

    Values already under the newest key are left as they are, so a second run
    changes nothing. A value no key decrypts is counted as failed and kept.
    """
    report = RotationReport()
    for model, field_name in encrypted_columns():
        counts = {"rotated": 0, "current": 0, "failed": 0}
        for pk, stored in _stored_values(model, field_name):
            if is_encrypted_with_newest_key(stored):
                counts["current"] += 1
                continue
            try:
                new_value = rotate(stored)
            except DecryptionError:
                counts["failed"] += 1
                continue
            with transaction.atomic():
                # Compare-and-set, so a secret changed meanwhile is not overwritten.
                model._default_manager.filter(pk=pk, **{field_name: stored}).update(
                    **{field_name: new_value}
                )
            counts["rotated"] += 1
        report.columns[f"{model._meta.label}.{field_name}"] = counts
        report.rotated += counts["rotated"]
        report.current += counts["current"]
        report.failed += counts["failed"]
    return report
