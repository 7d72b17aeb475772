"""Read a workload's ``.tinyforge.yml`` at one commit and parse it.

The branch is resolved to a commit first and the file is read at that
commit, so the SHA that is shown, previewed and recorded always matches the
bytes that were parsed.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from gitops.paths import check_gitops_path
from gitops.spec import parse_spec
from gitops.status import FetchResult, FileError, Status
from tinyforge.git import FetchError, FileNotFound, ProviderError, TooLarge, get_provider


@dataclass(frozen=True)
class RepoLocation:
    """Location of a workload's repository: provider, URL and branch."""

    provider: str
    repo_url: str
    branch: str

    @classmethod
    def from_config(cls, source_config: dict) -> "RepoLocation":
        return cls(
            provider=str(source_config.get("provider", "")),
            repo_url=str(source_config.get("repo_url", "")),
            branch=str(source_config.get("branch") or "main"),
        )


@sensitive_variables()
def fetch_spec(location: RepoLocation, path: str, token: str) -> FetchResult:
    """Fetch and parse the file at ``path`` on the branch's current commit."""
    # The path is checked again here, whatever stored it, so that no request
    # ever leaves the repository's own file API.
    path_problem = check_gitops_path(path)
    if path_problem is not None:
        return FetchResult(Status.FETCH_FAILED, message=_(
            "The GitOps path %(path)r is not valid: %(problem)s. Fix the path setting."
        ) % {"path": path, "problem": path_problem})

    try:
        provider = get_provider(location.provider, location.repo_url, token)
        commit_sha = provider.resolve_ref(location.branch)
    except ProviderError as error:
        return FetchResult(Status.FETCH_FAILED, message=error.message)

    try:
        data = provider.download_file(path, commit_sha)
    except FileNotFound:
        return FetchResult(Status.NO_FILE, commit_sha=commit_sha, message=_(
            "There is no %(path)s at commit %(sha)s of branch %(branch)s. Commit one; "
            "manage.py gitops_export, the API's gitops/export/ and the admin's download "
            "button write one from the live config."
        ) % {"path": path, "sha": commit_sha[:12], "branch": location.branch})
    except TooLarge as error:
        return FetchResult(Status.INVALID, commit_sha=commit_sha, message=error.message,
                           errors=(FileError(None, None, None, error.message),))
    except FetchError as error:
        return FetchResult(Status.FETCH_FAILED, commit_sha=commit_sha, message=error.message)

    raw = data.decode("utf-8-sig", errors="replace")
    parsed = parse_spec(data)
    if parsed.errors:
        errors = tuple(
            FileError(error.field, error.line, error.column, error.message)
            for error in parsed.errors
        )
        return FetchResult(Status.INVALID, commit_sha=commit_sha, raw=raw, errors=errors,
                           message=_("%(path)s has %(count)d error(s).") % {
                               "path": path, "count": len(errors)})
    return FetchResult(Status.OK, commit_sha=commit_sha, raw=raw, spec=parsed.spec)
