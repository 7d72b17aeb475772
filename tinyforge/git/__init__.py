"""Git providers, the SSRF-safe outbound HTTP client and token redaction.

The entry point is :func:`get_provider`::

    provider = get_provider("github", "https://github.com/acme/app", token)
    sha = provider.resolve_ref("main")
    content = provider.download_file(".tinyforge.yml", sha)

Every failure is a :class:`ProviderError` with a redacted ``message`` and a
``status``: ``no_file`` for :class:`FileNotFound`, ``invalid`` for
:class:`TooLarge` and ``fetch_failed`` for every other :class:`FetchError`.
This package imports no model and nothing from the gitops app.
"""

from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from tinyforge.git.config import CONFIG_FILE_MAX_BYTES
from tinyforge.git.errors import (
    AddressBlocked,
    AuthFailed,
    FetchError,
    FileNotFound,
    InvalidLocation,
    NotARegularFile,
    ProviderError,
    RateLimited,
    RefNotFound,
    RepoNotFoundOrNoAccess,
    Timeout,
    TooLarge,
    UpstreamError,
)
from tinyforge.git.providers.base import Provider, call_redacted
from tinyforge.git.providers.gitcmd import GitProvider
from tinyforge.git.providers.gitea import GiteaProvider
from tinyforge.git.providers.github import GitHubProvider
from tinyforge.git.providers.gitlab import GitLabProvider
from tinyforge.git.redact import Redactor

PROVIDER_CLASSES: dict[str, type[Provider]] = {
    "github": GitHubProvider,
    "gitlab": GitLabProvider,
    "gitea": GiteaProvider,
    "git": GitProvider,
}


def _build(provider: str, repo_url: str, token: str) -> Provider:
    provider_class = PROVIDER_CLASSES.get(provider)
    if provider_class is None:
        raise InvalidLocation(
            _("Unknown git provider %(provider)r; use one of %(choices)s.")
            % {"provider": provider, "choices": ", ".join(PROVIDER_CLASSES)}
        )
    if not isinstance(repo_url, str) or not repo_url:
        raise InvalidLocation(_("The repository URL is empty."))
    return provider_class(repo_url, token or "")


@sensitive_variables()
def get_provider(provider: str, repo_url: str, token: str = "") -> Provider:
    """Return the provider for ``provider`` (github, gitlab, gitea or git) and a repository.

    Raises ``InvalidLocation`` or ``AddressBlocked`` (both ``FetchError``)
    when the name or URL cannot be used; nothing is fetched yet.
    """
    return call_redacted(Redactor(token or ""), _build, provider, repo_url, token)


__all__ = [
    "CONFIG_FILE_MAX_BYTES",
    "PROVIDER_CLASSES",
    "AddressBlocked",
    "AuthFailed",
    "FetchError",
    "FileNotFound",
    "InvalidLocation",
    "NotARegularFile",
    "Provider",
    "ProviderError",
    "RateLimited",
    "RefNotFound",
    "RepoNotFoundOrNoAccess",
    "Timeout",
    "TooLarge",
    "UpstreamError",
    "get_provider",
]
