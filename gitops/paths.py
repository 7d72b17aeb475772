"""The path of the ``.tinyforge.yml`` inside a workload's repository."""

from django.utils.translation import gettext as _

from tinyforge.sources.fields import is_control_or_bidi

DEFAULT_GITOPS_PATH = ".tinyforge.yml"
MAX_PATH_BYTES = 255


def check_gitops_path(path: object) -> str | None:
    """Return a message saying what is wrong with ``path``, or None when it is valid.

    A valid path is relative and names a file inside the repository. It has
    no leading or trailing '/' and no empty, '.' or '..' segments. It
    contains no backslash, no URL syntax ('://', '?', '#', '%') and no
    control or bidirectional-format characters, and it does not start with
    '-'. It is at most 255 bytes in UTF-8. Lone surrogates count as control
    characters.
    """
    if not isinstance(path, str):
        return _("must be a string")
    if path == "":
        return _("must not be empty; the default is %(default)s") % {
            "default": DEFAULT_GITOPS_PATH,
        }
    size = len(path.encode("utf-8", errors="surrogatepass"))
    if size > MAX_PATH_BYTES:
        return _("must be at most %(max)d bytes in UTF-8, got %(size)d") % {
            "max": MAX_PATH_BYTES, "size": size,
        }
    for character in path:
        if is_control_or_bidi(character):
            return _(
                "must not contain control or bidirectional-format characters, found U+%(code)04X"
            ) % {"code": ord(character)}
    if "\\" in path:
        return _("must separate folders with '/', not '\\'")
    if "://" in path:
        return _("must be a path inside the repository, not a URL")
    if any(character in path for character in "?#%"):
        return _("must not contain '?', '#' or '%'")
    if path.startswith("-"):
        # The git provider passes the path to git, which would read it as an option.
        return _("must not start with '-'")
    segments = path.split("/")
    if "" in segments:
        return _(
            "must be a relative path to a file: no leading or trailing '/' and no '//'"
        )
    if "." in segments or ".." in segments:
        return _("must not contain '.' or '..' segments; give the path from the repository root")
    return None


def valid_gitops_path(path: object) -> bool:
    """Return whether ``path`` passes :func:`check_gitops_path`."""
    return check_gitops_path(path) is None
