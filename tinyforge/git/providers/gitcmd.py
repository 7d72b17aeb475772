"""Any git remote, through the git command (git 2.37 or later for http and https).

The branch is resolved with ``git ls-remote``. A file is read in a private
temporary directory, removed afterwards, with a shallow partial fetch
(``--depth=1 --filter=blob:none``) of the one commit, ``git ls-tree`` for the
entry's mode and ``git cat-file`` for its blob, which git fetches on demand.

Isolation of every git process:

- no system or global configuration, ``HOME`` in the temporary directory,
  no terminal prompts and no credential helpers;
- ``GIT_ALLOW_PROTOCOL`` permits only the remote's own protocol;
- for http and https the address policy checks the host, and
  ``http.curloptResolve`` makes git connect to the checked addresses.
  Redirects are not followed;
- the token reaches git as an ``http.extraHeader`` set through the
  ``GIT_CONFIG_COUNT``/``KEY``/``VALUE`` variables of the child's own
  environment, never on a command line;
- each process runs under the remaining time of the total deadline and is
  killed with its process group when that runs out.
"""

import base64
import functools
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from tinyforge.git import config, guard
from tinyforge.git.errors import (
    AddressBlocked,
    AuthFailed,
    InvalidLocation,
    RateLimited,
    RefNotFound,
    RepoNotFoundOrNoAccess,
    Timeout,
    UpstreamError,
)
from tinyforge.git.providers.base import Provider, not_a_regular_file
from tinyforge.git.redact import BASIC_AUTH_USERS

MINIMUM_GIT_VERSION = (2, 37)  # The first release with http.curloptResolve.
REGULAR_FILE_MODES = frozenset({"100644", "100755"})
ENTRY_KINDS = {"040000": "directory", "120000": "symlink", "160000": "submodule"}
_LS_TREE_ENTRY = re.compile(r"(\d{6}) (\w+) ([0-9a-f]+)\t(.*)", re.DOTALL)
_VERSION = re.compile(r"git version (\d+)\.(\d+)")


@dataclass(frozen=True)
class Remote:
    """A remote URL with the protocol and the configuration git must use to reach it."""

    url: str
    protocol: str
    config_arguments: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def git_version(executable: str) -> tuple[int, int]:
    output = subprocess.run(
        [executable, "--version"], capture_output=True, text=True, timeout=10, check=False
    ).stdout
    match = _VERSION.search(output)
    return (int(match[1]), int(match[2])) if match else (0, 0)


class GitProvider(Provider):
    """A repository at an https://, http:// (allow-listed hosts) or file:// (if enabled) URL."""

    name = "git"
    display_name = "git"

    def __init__(self, repo_url: str, token: str = ""):
        parts = urlsplit(repo_url)
        if parts.scheme == "file":
            if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
                raise InvalidLocation(
                    _("%(url)r is not an absolute file:// URL.") % {"url": repo_url}
                )
            if any(ord(char) < 32 for char in repo_url):
                raise InvalidLocation(_("The URL must not contain control characters."))
            self.origin = None
        else:
            self.origin = guard.check_url(repo_url)
        if parts.query or parts.fragment:
            raise InvalidLocation(
                _("%(url)r must not contain a query string or a fragment.") % {"url": repo_url}
            )
        super().__init__(repo_url, token)
        # Branches seen by resolve_ref, so a server that refuses to send a
        # commit by SHA can still be asked for the branch instead.
        self._branch_by_sha: dict[str, str] = {}

    def _resolve_ref(self, branch: str) -> str:
        deadline = time.monotonic() + config.current().total_timeout
        ref = f"refs/heads/{branch}"
        with tempfile.TemporaryDirectory(prefix="tinyforge-git-") as home:
            remote = self.remote()
            output = self.run(
                [*remote.config_arguments, "ls-remote", "--", remote.url, ref],
                home=home, remote=remote, deadline=deadline, action=_("resolving the branch"),
            )
        for line in output.decode("utf-8", "replace").splitlines():
            sha, _tab, name = line.partition("\t")
            # ls-remote matches patterns against the end of ref names, so
            # keep only the exact ref.
            if name == ref:
                self._branch_by_sha[sha.lower()] = branch
                return sha
        raise RefNotFound(
            _("%(ref)r was not found in %(repo)s; check the branch name.")
            % {"ref": branch, "repo": self.repo_url}
        )

    def _download_file(self, path: str, sha: str, max_bytes: int) -> bytes:
        deadline = time.monotonic() + config.current().total_timeout
        with tempfile.TemporaryDirectory(prefix="tinyforge-git-") as home:
            remote = self.remote()
            repository = os.path.join(home, "repository.git")
            run = functools.partial(self.run, home=home, remote=remote, deadline=deadline)
            git_dir = [*remote.config_arguments, "-C", repository]
            run(["init", "--bare", "--quiet", "--template=", repository],
                action=_("creating a temporary repository"))
            run([*git_dir, "remote", "add", "origin", remote.url],
                action=_("creating a temporary repository"))
            self.fetch_commit(run, git_dir, sha)
            listing = run([*git_dir, "ls-tree", "-z", sha, "--", path],
                          action=_("reading the commit's tree"))
            entry = _LS_TREE_ENTRY.fullmatch(listing.decode("utf-8", "replace").rstrip("\0"))
            if entry is None or entry[4] != path:
                raise self.file_not_found(path, sha)
            mode, object_id = entry[1], entry[3]
            if mode not in REGULAR_FILE_MODES:
                raise not_a_regular_file(path, ENTRY_KINDS.get(mode))
            # Reading the size makes git fetch the one blob from the remote.
            size = run([*git_dir, "cat-file", "-s", object_id], action=_("fetching the file"))
            if int(size.strip() or 0) > max_bytes:
                raise self.too_large(path, max_bytes)
            return run([*git_dir, "cat-file", "blob", object_id], action=_("reading the file"))

    def fetch_commit(self, run, git_dir: list[str], sha: str) -> None:
        """Fetch one commit and its trees; blobs come later, one at a time."""
        fetch = [*git_dir, "fetch", "--quiet", "--no-tags", "--recurse-submodules=no",
                 "--depth=1"]
        action = _("fetching the commit")
        try:
            run([*fetch, "--filter=blob:none", "origin", sha], action=action)
            return
        except RefNotFound:
            branch = self._branch_by_sha.get(sha)
            if branch is None:
                raise
        except UpstreamError as error:
            if "filter" not in getattr(error, "detail", ""):
                raise
            branch = None
        # A server without partial clone support gets a fetch without the
        # filter. A server that rejects a SHA gets a fetch of the branch that
        # pointed to it, and the branch must still point there.
        if branch is None:
            run([*fetch, "origin", sha], action=action)
            return
        run([*fetch, "origin", f"refs/heads/{branch}"], action=action)
        fetched = run([*git_dir, "rev-parse", "FETCH_HEAD"], action=action)
        if fetched.decode("ascii", "replace").strip() != sha:
            raise RefNotFound(
                _("The branch %(branch)r no longer points to commit %(sha)s.")
                % {"branch": branch, "sha": sha[:12]}
            )

    def remote(self) -> Remote:
        """Check the remote against the policy now and return how git must reach it."""
        if self.origin is None:
            if not config.current().allow_file_urls:
                raise AddressBlocked(
                    _("file:// repositories are disabled; an operator can enable them with "
                      "TINYFORGE_GIT_ALLOW_FILE_URLS.")
                )
            return Remote(self.repo_url, "file", ())
        addresses = guard.resolve_checked(self.origin)
        pinned = ",".join(
            f"[{sockaddr[0]}]" if ":" in sockaddr[0] else sockaddr[0]
            for _family, sockaddr in addresses
        )
        if _version_of_git() < MINIMUM_GIT_VERSION:
            raise UpstreamError(
                _("Reading http and https remotes needs git %(version)s or later.")
                % {"version": ".".join(map(str, MINIMUM_GIT_VERSION))}
            )
        return Remote(self.repo_url, self.origin.scheme, (
            "-c", f"http.curloptResolve={self.origin.host}:{self.origin.port}:{pinned}",
            "-c", "http.followRedirects=false",
            "-c", "protocol.version=2",
        ))

    def environment(self, home: str, remote: Remote) -> dict[str, str]:
        settings = config.current()
        env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": home,
            "XDG_CONFIG_HOME": home,
            "LANG": "C",
            "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ALLOW_PROTOCOL": remote.protocol,
            "GIT_LITERAL_PATHSPECS": "1",
            "GIT_NO_REPLACE_OBJECTS": "1",
            # Abort a transfer slower than 1 byte/s for the read timeout.
            "GIT_HTTP_LOW_SPEED_LIMIT": "1",
            "GIT_HTTP_LOW_SPEED_TIME": str(max(1, int(settings.read_timeout))),
        }
        if self._token.value and remote.protocol in ("http", "https"):
            credentials = f"{BASIC_AUTH_USERS[0]}:{self._token.value}".encode()
            env["GIT_CONFIG_COUNT"] = "1"
            env["GIT_CONFIG_KEY_0"] = "http.extraHeader"
            env["GIT_CONFIG_VALUE_0"] = (
                "Authorization: Basic " + base64.b64encode(credentials).decode("ascii")
            )
        return env

    def run(self, arguments: list[str], *, home: str, remote: Remote, deadline: float,
            action: str) -> bytes:
        """Run git and return its output, or raise a typed error built from its stderr."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise self.timed_out()
        process = subprocess.Popen(
            [_git_executable(), *arguments], cwd=home, env=self.environment(home, remote),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            output, errors = process.communicate(timeout=remaining)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise self.timed_out() from None
        finally:
            # git starts helpers (remote-https, a fetch for a missing blob)
            # that must not outlive the temporary directory.
            _kill_group(process)
        if process.returncode != 0:
            raise self.git_failure(errors.decode("utf-8", "replace"), action)
        return output

    def timed_out(self) -> Timeout:
        return Timeout(
            _("git did not finish within %(seconds)g seconds (TINYFORGE_GIT_TOTAL_TIMEOUT).")
            % {"seconds": config.current().total_timeout}
        )

    def git_failure(self, stderr: str, action: str):
        """Classify git's error output into a typed error with a short, redacted detail."""
        text = stderr.lower()
        lines = [line.strip() for line in stderr.splitlines() if line.strip()]
        detail = self._redactor(lines[-1] if lines else "")[:300]
        values = {"repo": self.repo_url, "action": action, "detail": detail}
        if any(mark in text for mark in (
            "authentication failed", "could not read username", "could not read password",
            "returned error: 401",
        )):
            error = AuthFailed(
                _("The server rejected the repository token while %(action)s; set a valid token "
                  "for %(repo)s.") % values
            )
        elif "returned error: 429" in text:
            error = RateLimited(_("The git server rate limit was reached; try again later."))
        elif any(mark in text for mark in (
            "not our ref", "couldn't find remote ref", "unadvertised object",
            "no such remote ref",
        )):
            error = RefNotFound(
                _("The commit or branch was not found in %(repo)s.") % values
            )
        elif any(mark in text for mark in (
            "repository not found", "does not appear to be a git repository",
            "returned error: 404", "returned error: 403", "not found",
        )):
            error = RepoNotFoundOrNoAccess(
                _("%(repo)s was not found, or the token cannot read it (%(detail)s).") % values
            )
        elif any(mark in text for mark in ("timed out", "too slow")):
            error = Timeout(
                _("git timed out while %(action)s (%(detail)s).") % values
            )
        elif "redirect" in text:
            error = UpstreamError(
                _("The git server answered with a redirect while %(action)s; Tinyforge does not "
                  "follow redirects for git remotes. Update the repository URL.") % values
            )
        else:
            error = UpstreamError(_("git failed while %(action)s: %(detail)s") % values)
        # Kept so fetch_commit can tell an unsupported filter from other failures.
        error.detail = self._redactor(text)
        return error


def _git_executable() -> str:
    executable = shutil.which("git")
    if executable is None:
        raise UpstreamError(_("The git command is not installed on this server."))
    return executable


def _version_of_git() -> tuple[int, int]:
    return git_version(_git_executable())


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # The group has already exited.
    process.wait()
