"""The git settings, read from Django settings at call time so ``override_settings`` applies."""

from dataclasses import dataclass

from django.conf import settings

# Largest configuration file read from a repository, in bytes.
CONFIG_FILE_MAX_BYTES = 65_536


@dataclass(frozen=True)
class GitSettings:
    """Outbound git access: the allow-list, file:// switch and timeouts in seconds."""

    allowed_hosts: tuple[str, ...]
    allow_file_urls: bool
    connect_timeout: float
    read_timeout: float
    total_timeout: float


def current() -> GitSettings:
    """Read the git settings now, with the same defaults as tinyforge.settings."""
    return GitSettings(
        allowed_hosts=tuple(getattr(settings, "TINYFORGE_GIT_ALLOWED_HOSTS", ())),
        allow_file_urls=bool(getattr(settings, "TINYFORGE_GIT_ALLOW_FILE_URLS", False)),
        connect_timeout=float(getattr(settings, "TINYFORGE_GIT_CONNECT_TIMEOUT", 5.0)),
        read_timeout=float(getattr(settings, "TINYFORGE_GIT_READ_TIMEOUT", 15.0)),
        total_timeout=float(getattr(settings, "TINYFORGE_GIT_TOTAL_TIMEOUT", 30.0)),
    )
