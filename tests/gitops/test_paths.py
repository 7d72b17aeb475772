"""The .tinyforge.yml path inside a repository: accepted and rejected forms."""

import pytest

from gitops.paths import DEFAULT_GITOPS_PATH, check_gitops_path, valid_gitops_path


@pytest.mark.parametrize(
    "path",
    [
        DEFAULT_GITOPS_PATH,
        "deploy/.tinyforge.yml",
        "services/api/tinyforge.yaml",
        "..tinyforge.yml",
        "deploy/-x.yml",
        "a/.hidden/b.yml",
        "конфиг/tinyforge.yml",
        "a" * 255,
        "é" * 127,
    ],
)
def test_path_accepted(path):
    assert check_gitops_path(path) is None
    assert valid_gitops_path(path)


CONTROL_OR_BIDI = (
    "must not contain control or bidirectional-format characters, found U+{:04X}"
)
NO_EMPTY_SEGMENTS = (
    "must be a relative path to a file: no leading or trailing '/' and no '//'"
)
NO_DOT_SEGMENTS = (
    "must not contain '.' or '..' segments; give the path from the repository root"
)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("", "must not be empty; the default is .tinyforge.yml"),
        ("-c.yml", "must not start with '-'"),
        ("--upload-pack=x", "must not start with '-'"),
        ("a" * 256, "must be at most 255 bytes in UTF-8, got 256"),
        ("é" * 128, "must be at most 255 bytes in UTF-8, got 256"),
        ("/.tinyforge.yml", NO_EMPTY_SEGMENTS),
        ("deploy/", NO_EMPTY_SEGMENTS),
        ("deploy//.tinyforge.yml", NO_EMPTY_SEGMENTS),
        ("./.tinyforge.yml", NO_DOT_SEGMENTS),
        ("deploy/./x.yml", NO_DOT_SEGMENTS),
        ("../.tinyforge.yml", NO_DOT_SEGMENTS),
        ("deploy/../../etc/passwd", NO_DOT_SEGMENTS),
        (".", NO_DOT_SEGMENTS),
        ("..", NO_DOT_SEGMENTS),
        ("deploy\\.tinyforge.yml", "must separate folders with '/', not '\\'"),
        ("https://evil.example/x.yml", "must be a path inside the repository, not a URL"),
        ("x.yml?ref=main", "must not contain '?', '#' or '%'"),
        ("x.yml#top", "must not contain '?', '#' or '%'"),
        ("x%2e.yml", "must not contain '?', '#' or '%'"),
        ("x\x00.yml", CONTROL_OR_BIDI.format(0)),
        ("x\n.yml", CONTROL_OR_BIDI.format(0x0A)),
        ("x\t.yml", CONTROL_OR_BIDI.format(0x09)),
        ("x\x7f.yml", CONTROL_OR_BIDI.format(0x7F)),
        ("x\x85.yml", CONTROL_OR_BIDI.format(0x85)),
        ("x\u2028.yml", CONTROL_OR_BIDI.format(0x2028)),
        ("x\ud800.yml", CONTROL_OR_BIDI.format(0xD800)),
        ("x\u202e.yml", CONTROL_OR_BIDI.format(0x202E)),
        ("x\u202a.yml", CONTROL_OR_BIDI.format(0x202A)),
        ("x\u2066.yml", CONTROL_OR_BIDI.format(0x2066)),
        ("x\u2069.yml", CONTROL_OR_BIDI.format(0x2069)),
        ("x\u200e.yml", CONTROL_OR_BIDI.format(0x200E)),
        ("x\u200f.yml", CONTROL_OR_BIDI.format(0x200F)),
        ("x\u061c.yml", CONTROL_OR_BIDI.format(0x061C)),
        (None, "must be a string"),
        (7, "must be a string"),
    ],
)
def test_path_rejected(path, message):
    assert check_gitops_path(path) == message
    assert not valid_gitops_path(path)
