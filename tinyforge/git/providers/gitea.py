"""Gitea and Forgejo, through the REST API v1."""

from urllib.parse import quote

from django.utils.translation import gettext as _

from tinyforge.git.errors import RefNotFound, RepoNotFoundOrNoAccess
from tinyforge.git.providers.base import (
    HttpProvider,
    json_body,
    not_a_regular_file,
    split_repo_url,
)


class GiteaProvider(HttpProvider):
    """A Gitea or Forgejo repository at https://HOST/OWNER/REPO."""

    name = "gitea"
    display_name = "Gitea"

    def __init__(self, repo_url: str, token: str = ""):
        origin, segments = split_repo_url(repo_url, self.display_name, owner_and_name=True)
        super().__init__(repo_url, token)
        self.owner, self.repo = segments
        self.repo_api = (
            f"{origin}/api/v1/repos/{quote(self.owner, safe='')}/{quote(self.repo, safe='')}"
        )

    @property
    def repo_label(self) -> str:
        return f"{self.owner}/{self.repo}"

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self._token.value}"} if self._token.value else {}

    def _resolve_ref(self, branch: str) -> str:
        # The branch route takes the rest of the path, so a '/' stays literal.
        url = f"{self.repo_api}/branches/{quote(branch, safe='/')}"
        response = self.get(url, accept="application/json", conditional=True)
        if response.status == 200:
            entry = json_body(response)
            commit = entry.get("commit") if isinstance(entry, dict) else None
            if isinstance(commit, dict) and isinstance(commit.get("id"), str):
                return commit["id"]
            raise self.unexpected(response, _("resolving branch %(branch)r") % {"branch": branch})
        self.raise_for_common_status(response)
        if response.status == 404:
            self.raise_for_missing_repo()
            raise RefNotFound(
                _("%(ref)r was not found in %(repo)s; check the branch name.")
                % {"ref": branch, "repo": self.repo_label}
            )
        raise self.unexpected(response, _("resolving branch %(branch)r") % {"branch": branch})

    def _download_file(self, path: str, sha: str, max_bytes: int) -> bytes:
        # Always send ref: without it Gitea guesses where a ref with '/' ends.
        url = f"{self.repo_api}/raw/{quote(path, safe='/')}?ref={sha}"
        response = self.get(url, accept="*/*", max_bytes=max_bytes)
        if response.status == 200:
            # Gitea serves a symbolic link as its blob, the link's target path.
            # Versions that send X-Gitea-Object-Type (X-Forgejo-Object-Type on
            # Forgejo) name the entry's type there.
            # NOTE: older versions send no such header, so a link goes
            # undetected and its target path then fails to parse.
            kind = (response.headers.get("X-Gitea-Object-Type")
                    or response.headers.get("X-Forgejo-Object-Type") or "").lower()
            if kind in ("symlink", "dir", "submodule"):
                raise not_a_regular_file(path, "directory" if kind == "dir" else kind)
            return self.file_content(response, path, max_bytes)
        self.raise_for_common_status(response)
        if response.status == 404:
            # The raw API returns 404 for a missing path, a directory and a
            # submodule, but the contents API distinguishes them.
            kind = self.entry_kind(path, sha)
            if kind is not None:
                raise not_a_regular_file(path, kind)
            self.raise_for_missing_repo()
            raise self.file_not_found(path, sha)
        raise self.unexpected(response, _("reading %(path)s") % {"path": path})

    def entry_kind(self, path: str, sha: str) -> str | None:
        url = f"{self.repo_api}/contents/{quote(path, safe='/')}?ref={sha}"
        response = self.get(url, accept="application/json")
        if response.status != 200:
            self.raise_for_common_status(response)
            return None
        entry = json_body(response)
        if isinstance(entry, list) or response.truncated:
            return "directory"
        if isinstance(entry, dict):
            return {"dir": "directory", "submodule": "submodule", "symlink": "symlink"}.get(
                entry.get("type")
            )
        return None

    def raise_for_missing_repo(self) -> None:
        response = self.get(self.repo_api, accept="application/json")
        if response.status == 200:
            return
        self.raise_for_common_status(response)
        raise RepoNotFoundOrNoAccess(
            _("%(repo)s was not found on Gitea, or the token cannot read it; check the "
              "repository URL and the token's access.") % {"repo": self.repo_label}
        )
