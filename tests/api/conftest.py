import pytest


@pytest.fixture(autouse=True)
def _gitops_environment(allow_file_urls, clear_cache):
    """Let tests read file:// repositories and start from an empty status cache."""
