"""GitHub and GitHub Enterprise Server, through the REST API (version 2022-11-28)."""

from urllib.parse import quote

from django.utils.translation import gettext as _

from tinyforge.git.errors import RefNotFound, RepoNotFoundOrNoAccess, TooLarge
from tinyforge.git.http import HttpResponse
from tinyforge.git.providers.base import (
    HttpProvider,
    json_body,
    not_a_regular_file,
    split_repo_url,
)

API_VERSION = "2022-11-28"
SHA_MEDIA_TYPE = "application/vnd.github.sha"
RAW_MEDIA_TYPE = "application/vnd.github.raw+json"
JSON_MEDIA_TYPE = "application/vnd.github+json"
PUBLIC_HOSTS = frozenset({"github.com", "www.github.com"})


class GitHubProvider(HttpProvider):
    """github.com through api.github.com; any other host is GitHub Enterprise at /api/v3."""

    name = "github"
    display_name = "GitHub"

    def __init__(self, repo_url: str, token: str = ""):
        origin, segments = split_repo_url(repo_url, self.display_name, owner_and_name=True)
        super().__init__(repo_url, token)
        self.owner, self.repo = segments
        host = origin.split("://", 1)[1]
        self.api_base = "https://api.github.com" if host in PUBLIC_HOSTS else f"{origin}/api/v3"
        owner, repo = quote(self.owner, safe=""), quote(self.repo, safe="")
        self.repo_api = f"{self.api_base}/repos/{owner}/{repo}"

    @property
    def repo_label(self) -> str:
        return f"{self.owner}/{self.repo}"

    def base_headers(self) -> dict[str, str]:
        return {"X-GitHub-Api-Version": API_VERSION}

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token.value}"} if self._token.value else {}

    def _resolve_ref(self, branch: str) -> str:
        # The sha media type returns the bare SHA, and a 304 response to
        # If-None-Match does not count against GitHub's rate limit.
        url = f"{self.repo_api}/commits/{quote(branch, safe='')}"
        response = self.get(url, accept=SHA_MEDIA_TYPE, max_bytes=1024, conditional=True)
        if response.status == 200 and not response.content_type.startswith("text/html"):
            return response.body.decode("ascii", "replace").strip()
        self.raise_for_common_status(response)
        if response.status == 409:
            raise RefNotFound(
                _("%(repo)s is empty, so branch %(branch)r does not exist.")
                % {"repo": self.repo_label, "branch": branch}
            )
        if response.status == 422:
            raise self.ref_not_found(branch)
        if response.status == 404:
            self.raise_for_missing_repo()
            raise self.ref_not_found(branch)
        raise self.refused_or_unexpected(response, _("resolving branch %(branch)r") % {
            "branch": branch,
        })

    def _download_file(self, path: str, sha: str, max_bytes: int) -> bytes:
        url = f"{self.repo_api}/contents/{quote(path, safe='/')}?ref={sha}"
        response = self.get(url, accept=RAW_MEDIA_TYPE, max_bytes=max_bytes)
        if response.status == 200:
            # For directories, submodules and symbolic links whose target is not
            # a regular file, GitHub returns JSON even for the raw media type.
            if not response.content_type.startswith("application/vnd.github.raw"):
                raise not_a_regular_file(path, self.entry_kind(response))
            # NOTE: GitHub returns the target's content for a symbolic link to a
            # regular file in the same repository, so such a link is read.
            return self.file_content(response, path, max_bytes)
        self.raise_for_common_status(response)
        if response.status == 403 and b"too_large" in response.body:
            raise TooLarge(
                _("%(path)s is too large for the GitHub contents API.") % {"path": path},
                limit=max_bytes,
            )
        if response.status == 404:
            message = (json_body(response) or {}).get("message", "")
            if isinstance(message, str) and message.startswith("No commit found"):
                raise self.ref_not_found(sha)
            self.raise_for_missing_repo()
            raise self.file_not_found(path, sha)
        raise self.refused_or_unexpected(response, _("reading %(path)s") % {"path": path})

    def raise_for_missing_repo(self) -> None:
        """Ask for the repository itself, to tell a missing repository from a missing ref."""
        response = self.get(self.repo_api, accept=JSON_MEDIA_TYPE)
        if response.status == 200:
            return
        self.raise_for_common_status(response)
        if response.status == 404:
            raise RepoNotFoundOrNoAccess(
                _("%(repo)s was not found on GitHub, or the token cannot read it; check the "
                  "repository URL and the token's access.") % {"repo": self.repo_label}
            )
        raise self.refused_or_unexpected(response, _("looking up the repository"))

    def ref_not_found(self, ref: str) -> RefNotFound:
        return RefNotFound(
            _("%(ref)r was not found in %(repo)s; check the branch name.")
            % {"ref": ref, "repo": self.repo_label}
        )

    def refused_or_unexpected(self, response: HttpResponse, what: str):
        if response.status == 403:
            return RepoNotFoundOrNoAccess(
                _("GitHub denied access to %(repo)s (HTTP 403); check that the token can read "
                  "this repository.") % {"repo": self.repo_label}
            )
        return self.unexpected(response, what)

    @staticmethod
    def entry_kind(response: HttpResponse) -> str | None:
        entry = json_body(response)
        if isinstance(entry, list) or response.truncated:
            return "directory"
        if isinstance(entry, dict):
            return {"dir": "directory", "symlink": "symlink", "submodule": "submodule"}.get(
                entry.get("type")
            )
        return None
