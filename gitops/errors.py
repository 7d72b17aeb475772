"""Errors of the GitOps services, each with a stable machine-readable code.

The services raise them. API views map the code to an HTTP status, the admin
shows the message, and ``gitops_sync`` maps the class to a result status.
"""

from django.utils.translation import ngettext


class GitOpsError(Exception):
    """Base class: ``code`` is stable for scripts, ``message`` is for people."""

    code = "gitops_error"

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class NotEligible(GitOpsError):
    """Raised when GitOps is asked of a source type that cannot read a file."""

    code = "not_eligible"


class InvalidPath(GitOpsError):
    code = "invalid_path"


class NotEnabled(GitOpsError):
    code = "gitops_disabled"


class SyncConflict(GitOpsError):
    """Raised when what was previewed is no longer what would be applied."""

    code = "conflict"


class FetchFailed(GitOpsError):
    code = "fetch_failed"


class NoFile(GitOpsError):
    code = "no_file"


class InvalidConfig(GitOpsError):
    """Raised when the file, or the config merged from it, does not validate."""

    code = "invalid"

    def __init__(self, message: str, errors=(), **details):
        super().__init__(message, **details)
        self.errors = tuple(errors)


class ManagedFieldsLocked(GitOpsError):
    """Raised when an edit touches fields that the repository's file manages."""

    code = "managed_fields"

    def __init__(self, fields, path: str, commit_sha: str | None, fail_closed: bool = False,
                 file_invalid: bool = False):
        fields = tuple(fields)
        values = {"fields": ", ".join(fields), "path": path, "sha": (commit_sha or "")[:12]}
        if fail_closed and file_invalid:
            message = ngettext(
                "%(fields)s cannot be changed here while %(path)s is invalid, because the file "
                "may manage it. Fix the file in the repository, or disable GitOps to edit it.",
                "%(fields)s cannot be changed here while %(path)s is invalid, because the file "
                "may manage them. Fix the file in the repository, or disable GitOps to edit them.",
                len(fields),
            ) % values
        elif fail_closed:
            message = ngettext(
                "%(fields)s cannot be changed here while %(path)s cannot be read, because the "
                "file may manage it. Fix the repository access, or disable GitOps to edit it.",
                "%(fields)s cannot be changed here while %(path)s cannot be read, because the "
                "file may manage them. Fix the repository access, or disable GitOps to edit them.",
                len(fields),
            ) % values
        else:
            message = ngettext(
                "%(fields)s is managed by %(path)s at commit %(sha)s; change the file in the "
                "repository and sync instead.",
                "%(fields)s are managed by %(path)s at commit %(sha)s; change the file in the "
                "repository and sync instead.",
                len(fields),
            ) % values
        super().__init__(message, fields=fields, path=path, commit_sha=commit_sha)
        self.fields = fields
        self.path = path
        self.commit_sha = commit_sha
        self.fail_closed = fail_closed
