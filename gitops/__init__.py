"""GitOps v1: a workload reads its deploy config from a ``.tinyforge.yml`` in its repository."""
