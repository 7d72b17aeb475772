"""manage.py gitops_validate: exit codes, text and JSON output."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gitops.export import render_spec
from tests.gitops.samples import DESIGN_EXAMPLE

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path, text, name=".tinyforge.yml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def validate(*args):
    """Run the command in-process and return (exit code, stdout)."""
    stdout = StringIO()
    try:
        call_command("gitops_validate", *args, stdout=stdout)
    except SystemExit as exit_:
        return exit_.code, stdout.getvalue()
    return 0, stdout.getvalue()


def run_manage(*args, input_text=None):
    """Run manage.py in a subprocess, as a user would, with the test settings."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPOSITORY_ROOT, env=environment,
        input=input_text, capture_output=True, text=True, timeout=60, check=False,
    )


def test_valid_file_text(tmp_path):
    path = write(tmp_path, DESIGN_EXAMPLE.decode())

    code, output = validate(path, "--source", "dockerfile")

    assert code == 0
    assert output == (
        f"{path}: valid (dockerfile); manages port, healthcheck, deploy_strategy, "
        "resources.cpu_limit, resources.memory_limit, max_instances\n"
    )


def test_valid_file_declaring_nothing_text(tmp_path):
    path = write(tmp_path, "version: 1\ndeploy: {}\n")

    code, output = validate(path, "--source", "static")

    assert code == 0
    assert output == f"{path}: valid (static); manages no fields\n"


def test_valid_file_json(tmp_path):
    path = write(tmp_path, "version: 1\ndeploy:\n  deploy_strategy: recreate\n")

    code, output = validate(path, "--source", "static", "--format", "json")

    assert code == 0
    assert json.loads(output) == {
        "valid": True, "source": "static", "managed_fields": ["deploy_strategy"], "errors": [],
    }


def test_invalid_file_text(tmp_path):
    path = write(tmp_path, "version: 2\ndeploy:\n  port: 0\n  env: {}\n")

    code, output = validate(path, "--source", "dockerfile")

    assert code == 1
    assert output.splitlines() == [
        f"{path}:1:10: version: must be the integer 1, got 2; this Tinyforge understands "
        "version 1",
        f"{path}:3:9: deploy.port: must be a whole number from 1 to 65535, got 0",
        f"{path}:4:3: deploy.env: 'env' is not part of .tinyforge.yml version 1: environment "
        "variables are managed in Tinyforge, not in the repository; remove the key",
    ]


def test_port_on_static_is_rejected(tmp_path):
    path = write(tmp_path, DESIGN_EXAMPLE.decode())

    code, output = validate(path, "--source", "static")

    assert code == 1
    assert output.splitlines()[0] == (
        f"{path}:3:3: deploy.port: static workloads do not accept port; remove it from the file"
    )
    assert len(output.splitlines()) == 4


def test_file_level_error_text_has_no_position(tmp_path):
    path = write(tmp_path, "# nothing yet\n")

    code, output = validate(path, "--source", "static")

    assert code == 1
    assert output == (
        f"{path}: the file is empty; start it with 'version: 1' followed by a 'deploy' mapping\n"
    )


def test_syntax_error_text_has_position_without_field(tmp_path):
    path = write(tmp_path, "version: 1\ndeploy:\n\tport: 80\n")

    code, output = validate(path, "--source", "dockerfile")

    assert code == 1
    assert output == f"{path}:3:1: a tab character cannot be used here; indent YAML with spaces\n"


def test_invalid_file_json(tmp_path):
    path = write(tmp_path, "version: 1\ndeploy:\n  deploy_strategy: off\n")

    code, output = validate(path, "--source", "static", "--format", "json")

    assert code == 1
    assert json.loads(output) == {
        "valid": False,
        "source": "static",
        "managed_fields": [],
        "errors": [{
            "field": "deploy.deploy_strategy", "line": 3, "column": 20,
            "message": 'off is read as a boolean by some YAML tools; quote it ("off") if you '
                       "mean the string",
        }],
    }


def test_declared_blue_green_with_empty_healthcheck_is_invalid(tmp_path):
    path = write(
        tmp_path, "version: 1\ndeploy:\n  healthcheck: ''\n  deploy_strategy: blue-green\n",
    )

    code, output = validate(path, "--source", "dockerfile")

    assert code == 1
    assert output == (
        f"{path}:3:3: deploy.healthcheck: must be set when deploy_strategy is 'blue-green', "
        "because the switch to the new version waits for it to pass; set a healthcheck path "
        "such as '/healthz' or use deploy_strategy 'recreate'\n"
    )


def test_blue_green_relying_on_live_healthcheck_is_valid(tmp_path):
    path = write(tmp_path, "version: 1\ndeploy:\n  deploy_strategy: blue-green\n")

    code, _ = validate(path, "--source", "dockerfile")

    assert code == 0


def test_oversized_file_is_invalid(tmp_path):
    path = tmp_path / "big.yml"
    path.write_bytes(b"version: 1\n" + b"#" * 100_000)

    code, output = validate(str(path), "--source", "static")

    assert code == 1
    assert output == (
        f"{path}: the file is larger than 65536 bytes (64 KiB); a .tinyforge.yml must fit in "
        "65536 bytes\n"
    )


def test_missing_file_exits_2(tmp_path):
    missing = tmp_path / "absent.yml"

    with pytest.raises(CommandError) as raised:
        validate(str(missing), "--source", "static")

    assert raised.value.returncode == 2
    assert str(raised.value) == f"{missing} does not exist"


def test_directory_exits_2(tmp_path):
    with pytest.raises(CommandError) as raised:
        validate(str(tmp_path), "--source", "static")

    assert raised.value.returncode == 2
    assert str(raised.value) == (
        f"{tmp_path} is a directory; give the path of a .tinyforge.yml file"
    )


def test_exported_file_passes_validation(tmp_path):
    live = {"port": 8080, "healthcheck": "/up", "deploy_strategy": "blue-green",
            "resources": {"memory_limit": 128}}
    path = write(tmp_path, render_spec(live, "dockerfile"))

    code, output = validate(path, "--source", "dockerfile")

    assert code == 0
    assert output == (
        f"{path}: valid (dockerfile); manages port, healthcheck, deploy_strategy, "
        "resources.memory_limit\n"
    )


def test_cli_exit_codes_and_streams(tmp_path):
    valid = write(tmp_path, "version: 1\n", "valid.yml")
    invalid = write(tmp_path, "version: 3\n", "invalid.yml")

    assert run_manage("gitops_validate", valid, "--source", "static").returncode == 0

    result = run_manage("gitops_validate", invalid, "--source", "static", "--format", "json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["valid"] is False

    result = run_manage("gitops_validate", str(tmp_path), "--source", "static")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"CommandError: {tmp_path} is a directory; give the path of a .tinyforge.yml file\n"
    )


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--source", "image"], "argument --source: invalid choice: 'image'"),
        ([], "the following arguments are required: --source"),
        (["--source", "static", "--format", "xml"], "argument --format: invalid choice: 'xml'"),
    ],
)
def test_cli_bad_arguments_exit_2(tmp_path, args, complaint):
    path = write(tmp_path, "version: 1\n")

    result = run_manage("gitops_validate", path, *args)

    assert result.returncode == 2
    assert complaint in result.stderr


def test_cli_reads_standard_input():
    result = run_manage("gitops_validate", "-", "--source", "static", input_text="version: 1\n")

    assert result.returncode == 0
    assert result.stdout == "-: valid (static); manages no fields\n"
