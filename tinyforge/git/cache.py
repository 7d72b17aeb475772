"""Django-cache entries for conditional requests and for file contents read at a commit.

Keys are SHA-256 digests, so no key contains a token, a URL or a path. The
credential part of a key is itself a digest of the token.
"""

import hashlib

from django.core.cache import cache

# A stored ETag turns a re-check into a 304 response. A week keeps a daily check cheap.
ETAG_TIMEOUT = 7 * 24 * 3600
# Content at a commit never changes, so it may be kept as long as the cache allows.
CONTENT_TIMEOUT = 7 * 24 * 3600

MISSING = "missing"


def credential_digest(token: str) -> str:
    """Return a digest that distinguishes tokens without storing or revealing them."""
    if not token:
        return "anonymous"
    return hashlib.sha256(b"tinyforge-git-credential\0" + token.encode("utf-8")).hexdigest()


def _key(namespace: str, *parts: str) -> str:
    digest = hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
    return f"tinyforge.git.{namespace}.{digest}"


def etag_key(url: str, accept: str, credential: str) -> str:
    return _key("etag", url, accept, credential)


def get_validated(url: str, accept: str, credential: str) -> dict | None:
    """Return the stored ``{"etag", "body", "headers"}`` of an earlier 200 response, or None."""
    return cache.get(etag_key(url, accept, credential))


def store_validated(url: str, accept: str, credential: str, etag: str, body: bytes,
                    headers: dict) -> None:
    entry = {"etag": etag, "body": body, "headers": headers}
    cache.set(etag_key(url, accept, credential), entry, ETAG_TIMEOUT)


def content_key(provider: str, repo_url: str, sha: str, path: str) -> str:
    return _key("content", provider, repo_url, sha, path)


def get_content(provider: str, repo_url: str, sha: str, path: str) -> bytes | str | None:
    """Return cached file bytes, ``MISSING`` when the file was absent at ``sha``, or None."""
    return cache.get(content_key(provider, repo_url, sha, path))


def store_content(provider: str, repo_url: str, sha: str, path: str, content: bytes | None) -> None:
    value = MISSING if content is None else content
    cache.set(content_key(provider, repo_url, sha, path), value, CONTENT_TIMEOUT)

