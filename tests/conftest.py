import pytest


@pytest.fixture
def make_workload(db):
    """Create a workload with a valid config for its source type, overriding any field."""
    from tinyforge.sources import get_source
    from tinyforge.workloads.models import Workload

    counter = {"n": 0}

    def factory(name=None, source_type="dockerfile", token="", **config):
        counter["n"] += 1
        base = dict(get_source(source_type).defaults)
        if source_type in ("dockerfile", "static"):
            base["repo_url"] = "https://github.com/acme/app"
        elif source_type == "image":
            base["image"] = "nginx:1.27"
        else:
            base["compose"] = "services: {}\n"
        base.update(config)
        return Workload.objects.create(
            name=name or f"app-{counter['n']}", source_type=source_type,
            source_config=base, repo_token=token,
        )

    return factory
