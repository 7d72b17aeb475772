"""Files and helpers shared by the GitOps tests."""

from gitops.plan import ApplyPlan, build_plan
from gitops.spec import Spec, parse_spec

# The example file of the product design: every field a dockerfile workload accepts.
DESIGN_EXAMPLE = b"""\
version: 1
deploy:
  port: 8080
  healthcheck: /healthz
  deploy_strategy: blue-green
  resources: { cpu_limit: 0.5, memory_limit: 256 }
  max_instances: 1
"""

DESIGN_DEPLOY = {
    "port": 8080,
    "healthcheck": "/healthz",
    "deploy_strategy": "blue-green",
    "resources": {"cpu_limit": 0.5, "memory_limit": 256},
    "max_instances": 1,
}


def spec_of(document: bytes) -> Spec:
    """Parse a file that must be valid."""
    result = parse_spec(document)
    assert result.errors == []
    return result.spec


def plan_of(document: bytes, source_type: str = "dockerfile") -> ApplyPlan:
    """Parse a valid file and build its plan for ``source_type``."""
    return build_plan(spec_of(document), source_type)
