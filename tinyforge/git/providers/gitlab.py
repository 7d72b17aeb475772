"""GitLab (gitlab.com and self-managed), through the REST API v4."""

from urllib.parse import quote

from django.utils.translation import gettext as _

from tinyforge.git.errors import RefNotFound, RepoNotFoundOrNoAccess
from tinyforge.git.providers.base import (
    HttpProvider,
    json_body,
    not_a_regular_file,
    split_repo_url,
)


class GitLabProvider(HttpProvider):
    """A GitLab project addressed by its URL-encoded ``namespace/project`` path.

    NOTE: GitLab installed under a relative URL root (https://HOST/gitlab/...)
    is not supported, because the URL alone does not show where the root ends.
    """

    name = "gitlab"
    display_name = "GitLab"

    def __init__(self, repo_url: str, token: str = ""):
        origin, segments = split_repo_url(repo_url, self.display_name)
        super().__init__(repo_url, token)
        self.project_path = "/".join(segments)
        self.project_api = f"{origin}/api/v4/projects/{quote(self.project_path, safe='')}"

    @property
    def repo_label(self) -> str:
        return self.project_path

    def auth_headers(self) -> dict[str, str]:
        # Authorization, unlike PRIVATE-TOKEN, is a header HTTP clients know
        # carries credentials.
        return {"Authorization": f"Bearer {self._token.value}"} if self._token.value else {}

    def _resolve_ref(self, branch: str) -> str:
        url = f"{self.project_api}/repository/commits/{quote(branch, safe='')}"
        response = self.get(url, accept="application/json", conditional=True)
        if response.status == 200:
            commit = json_body(response)
            if isinstance(commit, dict) and isinstance(commit.get("id"), str):
                return commit["id"]
            raise self.unexpected(response, _("resolving branch %(branch)r") % {"branch": branch})
        self.raise_for_common_status(response)
        if response.status == 404:
            self.raise_for_404(response, branch)
        raise self.unexpected(response, _("resolving branch %(branch)r") % {"branch": branch})

    def _download_file(self, path: str, sha: str, max_bytes: int) -> bytes:
        url = f"{self.project_api}/repository/files/{quote(path, safe='')}/raw?ref={sha}"
        response = self.get(url, accept="*/*", max_bytes=max_bytes)
        if response.status == 200:
            # NOTE: GitLab serves a symbolic link as its blob, the link's target
            # path, and this API does not show the file mode.
            return self.file_content(response, path, max_bytes)
        self.raise_for_common_status(response)
        if response.status == 404:
            if self.error_message(response) == "404 File Not Found":
                # A directory has no blob either, but the tree API lists its entries.
                if self.is_directory(path, sha):
                    raise not_a_regular_file(path, "directory")
                raise self.file_not_found(path, sha)
            self.raise_for_404(response, sha)
        raise self.unexpected(response, _("reading %(path)s") % {"path": path})

    def is_directory(self, path: str, sha: str) -> bool:
        url = (f"{self.project_api}/repository/tree?path={quote(path, safe='')}"
               f"&ref={sha}&per_page=1")
        response = self.get(url, accept="application/json")
        if response.status == 200:
            return bool(json_body(response))
        self.raise_for_common_status(response)
        return False

    @staticmethod
    def error_message(response) -> str:
        body = json_body(response)
        message = body.get("message") if isinstance(body, dict) else None
        return message if isinstance(message, str) else ""

    def raise_for_404(self, response, ref: str) -> None:
        """Raise RefNotFound for '404 Commit Not Found', else RepoNotFoundOrNoAccess."""
        if self.error_message(response) == "404 Commit Not Found":
            raise RefNotFound(
                _("%(ref)r was not found in %(repo)s; check the branch name.")
                % {"ref": ref, "repo": self.repo_label}
            )
        raise RepoNotFoundOrNoAccess(
            _("%(repo)s was not found on GitLab, or the token cannot read it; check the "
              "repository URL and the token's access.") % {"repo": self.repo_label}
        )
