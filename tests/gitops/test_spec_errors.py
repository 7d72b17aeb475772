"""Rejected .tinyforge.yml files: each case asserts every error's field, line, column and message.

The parser must report every problem at once, so each case lists all the
errors its file produces, in order, and nothing else.
"""

import pytest

from gitops.spec import MAX_FILE_BYTES, SpecError, parse_spec

VERSION = "version: 1\n"
DEPLOY = VERSION + "deploy:\n"
RESOURCES = DEPLOY + "  resources:\n"
# One byte over the limit, made of a valid file and a comment.
OVERSIZED = (VERSION + "#" * (MAX_FILE_BYTES - len(VERSION)) + "\n").encode()


def case(name, document, *errors):
    return pytest.param(document, [SpecError(*error) for error in errors], id=name)


BAD_FILES = [
    case(
        "octal_leading_zero",
        DEPLOY + "  port: 010\n",
        ("deploy.port", 3, 9,
            "010 starts with a zero, which YAML 1.1 reads as an octal number; write 10"
        ),
    ),
    case(
        "octal_0o_prefix",
        DEPLOY + "  port: 0o10\n",
        ("deploy.port", 3, 9,
            "0o10 is a hexadecimal, octal or binary number, which YAML versions read "
            "differently; write it in decimal as 8"
        ),
    ),
    case(
        "hexadecimal",
        DEPLOY + "  port: 0x1F\n",
        ("deploy.port", 3, 9,
            "0x1F is a hexadecimal, octal or binary number, which YAML versions read "
            "differently; write it in decimal as 31"
        ),
    ),
    case(
        "binary",
        DEPLOY + "  port: 0b101\n",
        ("deploy.port", 3, 9,
            "0b101 is a hexadecimal, octal or binary number, which YAML versions read "
            "differently; write it in decimal as 5"
        ),
    ),
    case(
        "underscore_separator",
        DEPLOY + "  port: 8_080\n",
        ("deploy.port", 3, 9,
            "8_080 uses '_' between digits, which YAML versions read differently; write 8080"
        ),
    ),
    case(
        "leading_underscore_is_a_string",
        DEPLOY + "  port: _1\n",
        ("deploy.port", 3, 9, "must be a whole number from 1 to 65535, got '_1'"),
    ),
    case(
        "sexagesimal",
        DEPLOY + "  port: 1:30\n",
        ("deploy.port", 3, 9,
            "1:30 is a base-60 number to YAML 1.1 tools and a string to YAML 1.2 tools; write a "
            "plain decimal number, or quote the value if you mean a string"
        ),
    ),
    case(
        "plus_sign",
        DEPLOY + "  max_instances: +5\n",
        ("deploy.max_instances", 3, 18, "+5 has a '+' sign; write 5"),
    ),
    case(
        "exponent",
        RESOURCES + "    cpu_limit: 1e3\n",
        ("deploy.resources.cpu_limit", 4, 16,
            "1e3 uses exponent notation, which YAML versions read differently; write the number "
            "without an exponent, such as 1000 for 1e3"
        ),
    ),
    case(
        "leading_point",
        RESOURCES + "    cpu_limit: .5\n",
        ("deploy.resources.cpu_limit", 4, 16,
            ".5 needs digits on both sides of the decimal point; write 0.5"
        ),
    ),
    case(
        "trailing_point",
        RESOURCES + "    cpu_limit: 5.\n",
        ("deploy.resources.cpu_limit", 4, 16,
            "5. needs digits on both sides of the decimal point; write 5.0"
        ),
    ),
    case(
        "boolean_as_port",
        DEPLOY + "  port: true\n",
        ("deploy.port", 3, 9, "must be a whole number from 1 to 65535, got True"),
    ),
    case(
        "boolean_as_cpu_limit",
        RESOURCES + "    cpu_limit: false\n",
        ("deploy.resources.cpu_limit", 4, 16,
            "must be a number greater than 0 and at most 256 cores, got False"
        ),
    ),
    case(
        "infinity",
        RESOURCES + "    cpu_limit: .inf\n",
        ("deploy.resources.cpu_limit", 4, 16,
            ".inf is not a finite number; infinity and NaN are not allowed, so write a number "
            "such as 0.5"
        ),
    ),
    case(
        "negative_infinity",
        RESOURCES + "    cpu_limit: -.inf\n",
        ("deploy.resources.cpu_limit", 4, 16,
            "-.inf is not a finite number; infinity and NaN are not allowed, so write a number "
            "such as 0.5"
        ),
    ),
    case(
        "not_a_number",
        RESOURCES + "    cpu_limit: .nan\n",
        ("deploy.resources.cpu_limit", 4, 16,
            ".nan is not a finite number; infinity and NaN are not allowed, so write a number "
            "such as 0.5"
        ),
    ),
    case(
        "null_word",
        DEPLOY + "  port: null\n",
        ("deploy.port", 3, 9, "is null or empty; omit the key to leave the field unmanaged"),
    ),
    case(
        "tilde",
        DEPLOY + "  healthcheck: ~\n",
        ("deploy.healthcheck", 3, 16,
            "is null or empty; omit the key to leave the field unmanaged"
        ),
    ),
    case(
        "empty_value",
        DEPLOY + "  deploy_strategy:\n",
        ("deploy.deploy_strategy", 3, 19,
            "is null or empty; omit the key to leave the field unmanaged"
        ),
    ),
    case(
        "yes_for_string",
        DEPLOY + "  deploy_strategy: yes\n",
        ("deploy.deploy_strategy", 3, 20,
            'yes is read as a boolean by some YAML tools; quote it ("yes") if you mean the string'
        ),
    ),
    case(
        "no_for_string",
        DEPLOY + "  deploy_strategy: no\n",
        ("deploy.deploy_strategy", 3, 20,
            'no is read as a boolean by some YAML tools; quote it ("no") if you mean the string'
        ),
    ),
    case(
        "on_for_string",
        DEPLOY + "  deploy_strategy: on\n",
        ("deploy.deploy_strategy", 3, 20,
            'on is read as a boolean by some YAML tools; quote it ("on") if you mean the string'
        ),
    ),
    case(
        "off_for_string",
        DEPLOY + "  deploy_strategy: off\n",
        ("deploy.deploy_strategy", 3, 20,
            'off is read as a boolean by some YAML tools; quote it ("off") if you mean the string'
        ),
    ),
    case(
        "true_for_string",
        DEPLOY + "  deploy_strategy: True\n",
        ("deploy.deploy_strategy", 3, 20,
            'True is read as a boolean by some YAML tools; quote it ("True") if you mean the '
            "string"
        ),
    ),
    case(
        "y_for_string",
        DEPLOY + "  healthcheck: Y\n",
        ("deploy.healthcheck", 3, 16,
            'Y is read as a boolean by some YAML tools; quote it ("Y") if you mean the string'
        ),
    ),
    case(
        "duplicate_key",
        DEPLOY + "  port: 8080\n  port: 8081\n",
        ("deploy.port", 4, 3,
            "duplicate key 'port': it is already set on line 3; keep one of them"
        ),
    ),
    case(
        "duplicate_root_key",
        DEPLOY + "  port: 8080\ndeploy:\n  port: 8081\n",
        ("deploy", 4, 1, "duplicate key 'deploy': it is already set on line 2; keep one of them"),
    ),
    case(
        "anchor",
        DEPLOY + "  port: &p 8080\n",
        ("deploy.port", 3, 9, "anchors such as &p are not allowed; remove the anchor"),
    ),
    case(
        "alias",
        DEPLOY + "  port: &p 8080\n  max_instances: *p\n",
        ("deploy.port", 3, 9, "anchors such as &p are not allowed; remove the anchor"),
        ("deploy.max_instances", 4, 18,
            "aliases such as *p are not allowed; write the value out in full"
        ),
    ),
    case(
        "alias_as_key",
        DEPLOY + "  *p : 1\n",
        ("deploy", 3, 3, "aliases such as *p are not allowed; write the value out in full"),
    ),
    case(
        "anchor_on_key",
        DEPLOY + "  &k port: 8080\n",
        ("deploy", 3, 3, "anchors such as &k are not allowed; remove the anchor"),
    ),
    case(
        "merge_key",
        VERSION + "base: &b {port: 1}\ndeploy:\n  <<: *b\n",
        ("base", 2, 1, "unknown key 'base'; the keys allowed here are version, deploy"),
        ("deploy", 4, 3, "merge keys ('<<') are not allowed; write the keys out in full"),
    ),
    case(
        "tag_core",
        DEPLOY + "  port: !!int 8080\n",
        ("deploy.port", 3, 9, "explicit tags such as !!int are not allowed; remove the tag"),
    ),
    case(
        "tag_str",
        DEPLOY + "  healthcheck: !!str /healthz\n",
        ("deploy.healthcheck", 3, 16,
            "explicit tags such as !!str are not allowed; remove the tag"
        ),
    ),
    case(
        "tag_custom",
        DEPLOY + "  healthcheck: !path /healthz\n",
        ("deploy.healthcheck", 3, 16,
            "explicit tags such as !path are not allowed; remove the tag"
        ),
    ),
    case(
        "tag_non_specific",
        DEPLOY + "  port: ! 8080\n",
        ("deploy.port", 3, 9, "explicit tags such as ! are not allowed; remove the tag"),
    ),
    case(
        "tag_on_mapping",
        VERSION + "deploy: !!map {}\n",
        ("deploy", 2, 9, "explicit tags such as !!map are not allowed; remove the tag"),
    ),
    case(
        "integer_key",
        DEPLOY + "  1: 2\n",
        ("deploy", 3, 3, "keys must be strings, got 1; use one of the field names"),
    ),
    case(
        "boolean_key",
        VERSION + "true: 1\n",
        (None, 2, 1, "keys must be strings, got True; use one of the field names"),
    ),
    case(
        "null_key",
        VERSION + "~: 1\n",
        (None, 2, 1, "keys must be strings, got null; use one of the field names"),
    ),
    case(
        "list_key",
        VERSION + "? [a, b]\n: 1\n",
        (None, 2, 3, "keys must be strings, got a list; use one of the field names"),
    ),
    case(
        "two_documents",
        VERSION + "---\nversion: 1\n",
        (None, 2, 1,
            "the file contains more than one YAML document; keep only the first and remove this "
            "'---' separator and everything after it"
        ),
    ),
    case(
        "list_root",
        "- version: 1\n",
        (None, 1, 1,
            "the top level must be a mapping with the keys 'version' and 'deploy', got a list"
        ),
    ),
    case(
        "scalar_root",
        "version 1\n",
        (None, 1, 1,
            "the top level must be a mapping with the keys 'version' and 'deploy', got 'version "
            "1'"
        ),
    ),
    case(
        "empty_file",
        "",
        (None, None, None,
            "the file is empty; start it with 'version: 1' followed by a 'deploy' mapping"
        ),
    ),
    case(
        "comment_only_file",
        "# deploy config comes later\n",
        (None, None, None,
            "the file is empty; start it with 'version: 1' followed by a 'deploy' mapping"
        ),
    ),
    case(
        "blank_lines_only",
        "\n\n  \n",
        (None, None, None,
            "the file is empty; start it with 'version: 1' followed by a 'deploy' mapping"
        ),
    ),
    case(
        "document_marker_only",
        "---\n",
        (None, None, None,
            "the file is empty; start it with 'version: 1' followed by a 'deploy' mapping"
        ),
    ),
    case(
        "tab_indentation",
        DEPLOY + "\tport: 8080\n",
        (None, 3, 1, "a tab character cannot be used here; indent YAML with spaces"),
    ),
    case(
        "invalid_utf8",
        b'version: 1\ndeploy:\n  healthcheck: /h\xffz\n',
        (None, 3, 18,
            "the file is not valid UTF-8: byte 0xFF cannot be decoded; save the file as UTF-8"
        ),
    ),
    case(
        "utf16_bom",
        "version: 1\n".encode("utf-16"),
        (None, 1, 1, "the file starts with a UTF-16 or UTF-32 byte order mark; save it as UTF-8"),
    ),
    case(
        "control_character",
        DEPLOY + "  healthcheck: /h\x07z\n",
        (None, 3, 18,
            "the file contains the control character U+0007, which YAML does not allow; remove it"
        ),
    ),
    case(
        "over_64_kib",
        OVERSIZED,
        (None, None, None,
            "the file is larger than 65536 bytes (64 KiB); a .tinyforge.yml must fit in 65536 "
            "bytes"
        ),
    ),
    case(
        "unknown_root_key",
        VERSION + "name: app\n",
        ("name", 2, 1, "unknown key 'name'; the keys allowed here are version, deploy"),
    ),
    case(
        "unknown_deploy_key",
        DEPLOY + "  replicas: 2\n",
        ("deploy.replicas", 3, 3,
            "unknown key 'replicas'; the keys allowed here are port, healthcheck, "
            "deploy_strategy, resources, max_instances"
        ),
    ),
    case(
        "misspelled_deploy_key",
        DEPLOY + "  healtcheck: /healthz\n",
        ("deploy.healtcheck", 3, 3, "unknown key 'healtcheck'; did you mean 'healthcheck'?"),
    ),
    case(
        "misspelled_root_key",
        "verison: 1\n",
        ("verison", 1, 1, "unknown key 'verison'; did you mean 'version'?"),
        ("version", 1, 1, "is required; start the file with 'version: 1'"),
    ),
    case(
        "misspelled_nested_key",
        RESOURCES + "    memory: 256\n",
        ("deploy.resources.memory", 4, 5, "unknown key 'memory'; did you mean 'memory_limit'?"),
    ),
    case(
        "key_case",
        DEPLOY + "  Port: 8080\n",
        ("deploy.Port", 3, 3, "unknown key 'Port'; did you mean 'port'?"),
    ),
    case(
        "port_at_root",
        VERSION + "port: 8080\n",
        ("port", 2, 1, "unknown key 'port' at this level; it belongs at 'deploy.port'"),
    ),
    case(
        "cpu_limit_under_deploy",
        DEPLOY + "  cpu_limit: 1\n",
        ("deploy.cpu_limit", 3, 3,
            "unknown key 'cpu_limit' at this level; it belongs at 'deploy.resources.cpu_limit'"
        ),
    ),
    case(
        "env_at_root",
        VERSION + "env:\n  DEBUG: '1'\n",
        ("env", 2, 1,
            "'env' is not part of .tinyforge.yml version 1: environment variables are managed in"
            " Tinyforge, not in the repository; remove the key"
        ),
    ),
    case(
        "env_under_deploy",
        DEPLOY + "  env: {}\n",
        ("deploy.env", 3, 3,
            "'env' is not part of .tinyforge.yml version 1: environment variables are managed in"
            " Tinyforge, not in the repository; remove the key"
        ),
    ),
    case(
        "faces",
        DEPLOY + "  faces: []\n",
        ("deploy.faces", 3, 3,
            "'faces' is not part of .tinyforge.yml version 1: public faces (hostnames and ports)"
            " are managed in Tinyforge, not in the repository; remove the key"
        ),
    ),
    case(
        "secrets",
        VERSION + "secrets: {}\n",
        ("secrets", 2, 1,
            "'secrets' is not part of .tinyforge.yml version 1: secrets are managed in "
            "Tinyforge, not in the repository; remove the key"
        ),
    ),
    case(
        "environment",
        VERSION + "environment: production\n",
        ("environment", 2, 1,
            "'environment' is not part of .tinyforge.yml version 1: environment variables are "
            "managed in Tinyforge, not in the repository; remove the key"
        ),
    ),
    case(
        "domains",
        VERSION + "domains: [example.com]\n",
        ("domains", 2, 1,
            "'domains' is not part of .tinyforge.yml version 1: public faces (hostnames and "
            "ports) are managed in Tinyforge, not in the repository; remove the key"
        ),
    ),
    case(
        "version_2",
        "version: 2\n",
        ("version", 1, 10, "must be the integer 1, got 2; this Tinyforge understands version 1"),
    ),
    case(
        "missing_version",
        "deploy: {}\n",
        ("version", 1, 1, "is required; start the file with 'version: 1'"),
    ),
    case(
        "version_quoted",
        'version: "1"\n',
        ("version", 1, 10, "must be the integer 1, got '1'; this Tinyforge understands version 1"),
    ),
    case(
        "version_float",
        "version: 1.0\n",
        ("version", 1, 10, "must be the integer 1, got 1.0; this Tinyforge understands version 1"),
    ),
    case(
        "version_null",
        "version:\n",
        ("version", 1, 9, "must be the integer 1, got null; this Tinyforge understands version 1"),
    ),
    case(
        "version_boolean",
        "version: true\n",
        ("version", 1, 10, "must be the integer 1, got True; this Tinyforge understands version 1"),
    ),
    case(
        "version_leading_zero",
        "version: 01\n",
        ("version", 1, 10,
            "01 starts with a zero, which YAML 1.1 reads as an octal number; write 1"
        ),
    ),
    case(
        "version_list",
        "version: [1]\n",
        ("version", 1, 10,
            "must be the integer 1, got a list; this Tinyforge understands version 1"
        ),
    ),
    case(
        "deploy_list",
        DEPLOY + "  - port: 8080\n",
        ("deploy", 3, 3,
            "must be a mapping of keys such as port, healthcheck, deploy_strategy, resources, "
            "max_instances, got a list"
        ),
    ),
    case(
        "deploy_scalar",
        VERSION + "deploy: 8080\n",
        ("deploy", 2, 9,
            "must be a mapping of keys such as port, healthcheck, deploy_strategy, resources, "
            "max_instances, got 8080"
        ),
    ),
    case(
        "deploy_null",
        VERSION + "deploy: ~\n",
        ("deploy", 2, 9, "is null or empty; omit the key to leave the field unmanaged"),
    ),
    case(
        "resources_scalar",
        DEPLOY + "  resources: 2\n",
        ("deploy.resources", 3, 14,
            "must be a mapping of keys such as cpu_limit, memory_limit, got 2"
        ),
    ),
    case(
        "resources_unknown_key",
        RESOURCES + "    gpu: 1\n",
        ("deploy.resources.gpu", 4, 5,
            "unknown key 'gpu'; the keys allowed here are cpu_limit, memory_limit"
        ),
    ),
    case(
        "port_zero",
        DEPLOY + "  port: 0\n",
        ("deploy.port", 3, 9, "must be a whole number from 1 to 65535, got 0"),
    ),
    case(
        "port_too_high",
        DEPLOY + "  port: 65536\n",
        ("deploy.port", 3, 9, "must be a whole number from 1 to 65535, got 65536"),
    ),
    case(
        "port_negative",
        DEPLOY + "  port: -1\n",
        ("deploy.port", 3, 9, "must be a whole number from 1 to 65535, got -1"),
    ),
    case(
        "port_quoted",
        DEPLOY + "  port: '8080'\n",
        ("deploy.port", 3, 9, "must be a whole number from 1 to 65535, got '8080'"),
    ),
    case(
        "port_float",
        DEPLOY + "  port: 8080.0\n",
        ("deploy.port", 3, 9, "must be a whole number from 1 to 65535, got 8080.0"),
    ),
    case(
        "port_list",
        DEPLOY + "  port: [8080]\n",
        ("deploy.port", 3, 9, "must be a whole number from 1 to 65535, got a list"),
    ),
    case(
        "port_mapping",
        DEPLOY + "  port: {number: 8080}\n",
        ("deploy.port", 3, 9, "must be a whole number from 1 to 65535, got a mapping"),
    ),
    case(
        "healthcheck_relative",
        DEPLOY + "  healthcheck: healthz\n",
        ("deploy.healthcheck", 3, 16,
            "must be an absolute URL path starting with '/' and without a scheme or host, such "
            "as '/healthz'"
        ),
    ),
    case(
        "healthcheck_too_long",
        DEPLOY + "  healthcheck: /" + "a" * 512 + "\n",
        ("deploy.healthcheck", 3, 16, "must be at most 512 characters long, got 513"),
    ),
    case(
        "healthcheck_block_scalar",
        DEPLOY + "  healthcheck: |\n    /healthz\n",
        ("deploy.healthcheck", 3, 16,
            "must not contain whitespace; use an absolute URL path such as '/healthz'"
        ),
    ),
    case(
        "healthcheck_number",
        DEPLOY + "  healthcheck: 200\n",
        ("deploy.healthcheck", 3, 16, "must be a string, got 200"),
    ),
    case(
        "strategy_unknown",
        DEPLOY + "  deploy_strategy: rolling\n",
        ("deploy.deploy_strategy", 3, 20,
            "must be one of '', 'recreate', 'blue-green', got 'rolling'"
        ),
    ),
    case(
        "cpu_limit_zero",
        RESOURCES + "    cpu_limit: 0\n",
        ("deploy.resources.cpu_limit", 4, 16,
            "must be a number greater than 0 and at most 256 cores, got 0"
        ),
    ),
    case(
        "cpu_limit_too_high",
        RESOURCES + "    cpu_limit: 256.5\n",
        ("deploy.resources.cpu_limit", 4, 16,
            "must be a number greater than 0 and at most 256 cores, got 256.5"
        ),
    ),
    case(
        "memory_limit_too_low",
        RESOURCES + "    memory_limit: 5\n",
        ("deploy.resources.memory_limit", 4, 19,
            "must be a whole number from 6 to 1048576 MiB, got 5"
        ),
    ),
    case(
        "memory_limit_float",
        RESOURCES + "    memory_limit: 256.0\n",
        ("deploy.resources.memory_limit", 4, 19,
            "must be a whole number from 6 to 1048576 MiB, got 256.0"
        ),
    ),
    case(
        "max_instances_too_high",
        DEPLOY + "  max_instances: 101\n",
        ("deploy.max_instances", 3, 18, "must be a whole number from 1 to 100, got 101"),
    ),
    case(
        "huge_integer",
        DEPLOY + "  port: 1" + "0" * 5000 + "\n",
        ("deploy.port", 3, 9, "10000000000000000... is too large to be a number"),
    ),
    case(
        "huge_float",
        RESOURCES + "    cpu_limit: 1" + "0" * 400 + ".0\n",
        ("deploy.resources.cpu_limit", 4, 16, "10000000000000000... is too large to be a number"),
    ),
    case(
        "deep_nesting",
        VERSION + "deploy: " + "[" * 100 + "]" * 100 + "\n",
        (None, 2, 29,
            "the file nests mappings or lists more than 20 levels deep; a .tinyforge.yml needs "
            "three"
        ),
    ),
    case(
        "unclosed_flow_mapping",
        VERSION + "deploy: {port: 8080\n",
        (None, 3, 1, "invalid YAML: expected ',' or '}', but got '<stream end>'"),
    ),
    case(
        "mapping_in_plain_value",
        VERSION + "deploy: port: 8080\n",
        (None, 2, 13, "invalid YAML: mapping values are not allowed here"),
    ),
    case(
        "every_error_reported",
        "version: 2\ndeploy:\n  port: 0\n  healthcheck: yes\n  replicas: 3\n  env: {}\n",
        ("version", 1, 10, "must be the integer 1, got 2; this Tinyforge understands version 1"),
        ("deploy.port", 3, 9, "must be a whole number from 1 to 65535, got 0"),
        ("deploy.healthcheck", 4, 16,
            'yes is read as a boolean by some YAML tools; quote it ("yes") if you mean the string'
        ),
        ("deploy.replicas", 5, 3,
            "unknown key 'replicas'; the keys allowed here are port, healthcheck, "
            "deploy_strategy, resources, max_instances"
        ),
        ("deploy.env", 6, 3,
            "'env' is not part of .tinyforge.yml version 1: environment variables are managed in"
            " Tinyforge, not in the repository; remove the key"
        ),
    ),
]


@pytest.mark.parametrize(("document", "expected"), BAD_FILES)
def test_bad_file_reports_every_error(document, expected):
    data = document if isinstance(document, bytes) else document.encode()

    result = parse_spec(data)

    assert result.spec is None
    assert result.errors == expected


def test_bad_file_table_is_large():
    assert len(BAD_FILES) >= 60


def test_oversized_file_is_one_byte_over():
    assert len(OVERSIZED) == MAX_FILE_BYTES + 1
