"""WSGI entry point. It refuses to start when stored secrets cannot be decrypted."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinyforge.settings")

application = get_wsgi_application()


def _verify_encryption_keys() -> None:
    from django.core.checks import run_checks

    errors = run_checks(tags=["security", "database"], databases=["default"])
    blocking = [error for error in errors if error.id in ("tinyforge.E001", "tinyforge.E002")]
    if blocking:
        raise ImproperlyConfigured(
            " ".join(f"{error.msg} {error.hint}" for error in blocking)
        )


if os.environ.get("TINYFORGE_SKIP_STARTUP_CHECKS") != "1":
    _verify_encryption_keys()
