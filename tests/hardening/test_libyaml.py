"""The parser gives the same result with and without libyaml.

The corpus is parsed here, where PyYAML may have loaded libyaml, and in a
child process where ``yaml._yaml`` cannot be imported, so PyYAML runs pure
Python only. The results must be equal, and the parser's loader must not
be built on libyaml's classes.
"""

import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import yaml

from gitops import yamltree
from gitops.spec import parse_spec

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "specs"
ROOT = Path(__file__).resolve().parent.parent.parent

CHILD = """
import json, sys
sys.modules["yaml._yaml"] = None
import django
django.setup()
import yaml
assert not yaml.__with_libyaml__
from pathlib import Path
from dataclasses import asdict
from gitops.spec import parse_spec
results = {}
for path in sorted(Path(sys.argv[1]).glob("*.yml")):
    parsed = parse_spec(path.read_bytes())
    results[path.name] = [asdict(error) for error in parsed.errors]
print(json.dumps(results))
"""


def parse_corpus():
    return {
        path.name: [asdict(error) for error in parse_spec(path.read_bytes()).errors]
        for path in sorted(CORPUS.glob("*.yml"))
    }


def test_loader_is_pure_python():
    for base in yamltree._DepthLimitedLoader.__mro__:
        assert base.__module__ != "yaml.cyaml", base
        assert not base.__module__.startswith("yaml._yaml"), base


def test_same_result_without_libyaml():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings",
                   "PYTHONPATH": str(ROOT)}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(CORPUS)], cwd=ROOT, env=environment,
        capture_output=True, text=True, timeout=120, check=True,
    )

    assert json.loads(child.stdout) == parse_corpus()


def test_libyaml_loaded_in_this_process():
    # Without libyaml here, the comparison above would compare pure Python with itself.
    assert yaml.__with_libyaml__
