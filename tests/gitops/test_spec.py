"""Accepted .tinyforge.yml files, positions, and hostile input that must stay cheap."""

import pytest

from gitops.spec import MAX_FILE_BYTES, Spec, SpecError, parse_spec
from gitops.yamltree import MAX_DEPTH, MAX_NODES
from tests.gitops.samples import DESIGN_DEPLOY, DESIGN_EXAMPLE, spec_of


def parse_valid(data: bytes) -> Spec:
    result = parse_spec(data)
    assert result.valid
    return spec_of(data)


def test_design_example_parses():
    spec = parse_valid(DESIGN_EXAMPLE)

    assert spec.version == 1
    assert spec.deploy == DESIGN_DEPLOY


def test_design_example_positions():
    spec = parse_valid(DESIGN_EXAMPLE)

    assert spec.position("version") == (1, 1)
    assert spec.position("deploy") == (2, 1)
    assert spec.position("deploy.port") == (3, 3)
    assert spec.position("deploy.resources") == (6, 3)
    assert spec.position("deploy.resources.cpu_limit") == (6, 16)
    assert spec.position("deploy.resources.memory_limit") == (6, 32)
    assert spec.position("deploy.max_instances") == (7, 3)


def test_position_of_undeclared_key_is_none():
    spec = parse_valid(b"version: 1\ndeploy:\n  port: 80\n")

    assert spec.position("deploy.healthcheck") is None
    assert spec.position("deploy.resources.cpu_limit") is None


def test_empty_deploy_declares_nothing():
    spec = parse_valid(b"version: 1\ndeploy: {}\n")

    assert spec.deploy == {}


def test_version_alone_declares_nothing():
    spec = parse_valid(b"version: 1\n")

    assert spec.deploy == {}


def test_empty_resources_declares_nothing():
    spec = parse_valid(b"version: 1\ndeploy:\n  resources: {}\n")

    assert spec.deploy == {"resources": {}}


def test_bom_is_stripped():
    spec = parse_valid(b"\xef\xbb\xbf" + DESIGN_EXAMPLE)

    assert spec.deploy == DESIGN_DEPLOY
    assert spec.position("version") == (1, 1)


def test_crlf_line_endings_parse_with_same_positions():
    spec = parse_valid(DESIGN_EXAMPLE.replace(b"\n", b"\r\n"))

    assert spec.deploy == DESIGN_DEPLOY
    assert spec.position("deploy.max_instances") == (7, 3)


def test_crlf_error_reports_line():
    result = parse_spec(b"version: 1\r\ndeploy:\r\n  port: 0\r\n")

    assert result.errors == [
        SpecError("deploy.port", 3, 9, "must be a whole number from 1 to 65535, got 0"),
    ]


def test_quoted_keys_and_values_are_strings():
    spec = parse_valid(
        b'"version": 1\n\'deploy\':\n  "deploy_strategy": ""\n  healthcheck: "/up"\n'
    )

    assert spec.deploy == {"deploy_strategy": "", "healthcheck": "/up"}


def test_quoted_yaml11_boolean_is_a_string():
    result = parse_spec(b"version: 1\ndeploy:\n  deploy_strategy: 'off'\n")

    assert result.errors == [SpecError(
        "deploy.deploy_strategy", 3, 20,
        "must be one of '', 'recreate', 'blue-green', got 'off'",
    )]


def test_flow_style_file():
    spec = parse_valid(b"{version: 1, deploy: {port: 80, resources: {memory_limit: 64}}}")

    assert spec.deploy == {"port": 80, "resources": {"memory_limit": 64}}


def test_document_markers_and_comments_are_allowed():
    spec = parse_valid(b"# config\n---\nversion: 1  # the format\ndeploy:\n  port: 80\n...\n")

    assert spec.deploy == {"port": 80}


@pytest.mark.parametrize(
    ("text", "value"), [("1", 1), ("256", 256), ("0.5", 0.5), ("0.001", 0.001), ("1.25", 1.25)],
)
def test_cpu_limit_number_forms(text, value):
    data = f"version: 1\ndeploy:\n  resources:\n    cpu_limit: {text}\n".encode()

    cpu_limit = parse_valid(data).deploy["resources"]["cpu_limit"]

    assert cpu_limit == value
    assert type(cpu_limit) is type(value)


def test_integer_stays_integer_as_declared():
    spec = parse_valid(b"version: 1\ndeploy:\n  resources:\n    cpu_limit: 2\n")

    assert spec.deploy["resources"]["cpu_limit"] == 2
    assert type(spec.deploy["resources"]["cpu_limit"]) is int


def test_file_of_exactly_max_size_is_accepted():
    head = b"version: 1\n"
    data = head + b"#" * (MAX_FILE_BYTES - len(head) - 1) + b"\n"

    assert len(data) == MAX_FILE_BYTES
    assert parse_valid(data).deploy == {}


def test_utf8_text_in_comments_and_strings():
    spec = parse_valid("# déploiement\nversion: 1\ndeploy:\n  healthcheck: /santé\n".encode())

    assert spec.deploy == {"healthcheck": "/santé"}


def test_invalid_utf8_after_multibyte_reports_character_column():
    result = parse_spec("version: 1\n# é".encode() + b"\xc3(\n")

    assert result.errors == [SpecError(
        None, 2, 4,
        "the file is not valid UTF-8: byte 0xC3 cannot be decoded; save the file as UTF-8",
    )]


def test_alias_bomb_is_rejected_without_expanding():
    lines = ["version: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    result = parse_spec("\n".join(lines).encode())

    unknown_keys = [error for error in result.errors if error.message.startswith("unknown key")]
    assert len(unknown_keys) == 10
    assert len(result.errors) == 10


def test_aliases_reported_where_written():
    document = "version: 1\ndeploy:\n  port: &p 80\n  max_instances: *p\n  healthcheck: *p\n"
    result = parse_spec(document.encode())

    assert [(error.field, error.line) for error in result.errors] == [
        ("deploy.port", 3), ("deploy.max_instances", 4), ("deploy.healthcheck", 5),
    ]


@pytest.mark.parametrize("opening", ["[", "{a: "])
def test_deep_nesting_stops_at_max_depth(opening):
    closing = "]" if opening == "[" else "}"
    depth = 30_000 // len(opening)
    document = "version: 1\ndeploy: " + opening * depth + "1" + closing * depth + "\n"

    result = parse_spec(document.encode())

    assert len(result.errors) == 1
    assert result.errors[0].field is None
    assert result.errors[0].line == 2
    assert result.errors[0].message == (
        f"the file nests mappings or lists more than {MAX_DEPTH} levels deep; a "
        ".tinyforge.yml needs three"
    )


def test_block_nesting_at_max_depth_parses():
    lines = ["version: 1", "extra:"]
    lines += ["  " * level + "a:" for level in range(1, MAX_DEPTH - 1)]
    lines.append("  " * (MAX_DEPTH - 1) + "a: 1")

    result = parse_spec("\n".join(lines).encode())

    assert result.errors == [SpecError(
        "extra", 2, 1, "unknown key 'extra'; the keys allowed here are version, deploy",
    )]


def base36_key(index: int) -> str:
    """Return a 4-character key such as ``k00a``, so 10,000 keys fit in 64 KiB."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    return "k" + digits[index // 1296] + digits[index // 36 % 36] + digits[index % 36]


def test_ten_thousand_keys_stop_at_node_limit():
    document = "version: 1\n" + "".join(f"{base36_key(index)}:\n" for index in range(10_000))
    result = parse_spec(document.encode())

    assert len(document) <= MAX_FILE_BYTES
    # The root mapping, version and its value take three nodes; each key and
    # its empty value take two, so node 2,001 is the value on line 1,000.
    limit = SpecError(
        None, 1_000, 6,
        f"the file has more than {MAX_NODES} keys, values and lists; a .tinyforge.yml "
        "declares at most a few fields, so remove the rest",
    )
    assert limit in result.errors
    unknown = [error for error in result.errors if error is not limit and error != limit]
    assert len(unknown) == 998
    assert unknown[0] == SpecError(
        "k000", 2, 1, "unknown key 'k000'; the keys allowed here are version, deploy",
    )


def test_many_unknown_keys_below_node_limit_each_reported():
    document = "version: 1\n" + "".join(f"{base36_key(index)}:\n" for index in range(900))
    result = parse_spec(document.encode())

    assert len(result.errors) == 900
    assert result.errors[0] == SpecError(
        "k000", 2, 1, "unknown key 'k000'; the keys allowed here are version, deploy",
    )
    assert result.errors[-1].line == 901


def test_block_nesting_beyond_max_depth_stops():
    lines = ["version: 1", "extra:"]
    lines += ["  " * level + "a:" for level in range(1, MAX_DEPTH + 5)]

    result = parse_spec("\n".join(lines).encode())

    assert result.errors == [SpecError(
        None, MAX_DEPTH + 2, 2 * MAX_DEPTH + 1,
        f"the file nests mappings or lists more than {MAX_DEPTH} levels deep; a "
        ".tinyforge.yml needs three",
    )]
