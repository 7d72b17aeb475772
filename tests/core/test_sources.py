"""Source plugin validation: every rule of the source field table, at its boundaries."""

import pytest

from tinyforge.sources import SOURCE_TYPES, UnknownSourceType, get_source
from tinyforge.sources.fields import FieldError

DOCKERFILE_BASE = {
    "provider": "github", "repo_url": "https://github.com/acme/app", "branch": "main", "port": 8080,
}
STATIC_BASE = {"provider": "gitlab", "repo_url": "https://gitlab.com/acme/site"}


def errors_for(source_type, **changes):
    base = DOCKERFILE_BASE if source_type == "dockerfile" else STATIC_BASE
    config = {**base, **changes}
    return get_source(source_type).validate(config)


def test_every_source_type_has_a_plugin():
    assert SOURCE_TYPES == ("dockerfile", "static", "image", "compose")


def test_unknown_source_type_raises():
    with pytest.raises(UnknownSourceType, match="unknown source type 'ftp'"):
        get_source("ftp")


def test_valid_dockerfile_config_has_no_errors():
    config = {
        **DOCKERFILE_BASE, "healthcheck": "/healthz", "deploy_strategy": "blue-green",
        "resources": {"cpu_limit": 0.5, "memory_limit": 256}, "max_instances": 1,
    }
    assert get_source("dockerfile").validate(config) == []


@pytest.mark.parametrize("port", [1, 8080, 65535])
def test_port_accepts_boundaries(port):
    assert errors_for("dockerfile", port=port) == []


@pytest.mark.parametrize(
    ("port", "shown"),
    [(0, "0"), (65536, "65536"), (-1, "-1"), (True, "True"), (False, "False"),
     ("8080", "'8080'"), (80.0, "80.0"), (None, "None")],
)
def test_port_rejects_out_of_range_and_wrong_types(port, shown):
    assert errors_for("dockerfile", port=port) == [
        FieldError("port", f"must be a whole number from 1 to 65535, got {shown}")
    ]


def test_port_is_required_for_dockerfile():
    config = dict(DOCKERFILE_BASE)
    del config["port"]
    assert get_source("dockerfile").validate(config) == [FieldError("port", "is required")]


def test_port_is_rejected_on_static():
    assert errors_for("static", port=80) == [
        FieldError("port", "is not a field of a static workload")
    ]


@pytest.mark.parametrize("value", ["", "/", "/healthz", "/health/ready?full=1", "/" + "a" * 511])
def test_healthcheck_accepts_paths(value):
    assert errors_for("dockerfile", healthcheck=value) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("healthz", "must be an absolute URL path starting with '/' and without a scheme or "
                    "host, such as '/healthz'"),
        ("https://example.com/healthz", "must be an absolute URL path starting with '/' and "
                                        "without a scheme or host, such as '/healthz'"),
        ("//evil.example/h", "must be an absolute URL path starting with '/' and without a "
                             "scheme or host, such as '/healthz'"),
        ("/health check", "must not contain whitespace; use an absolute URL path such as "
                          "'/healthz'"),
        ("/healthz#top", "must not contain a fragment ('#'); use an absolute URL path such as "
                         "'/healthz'"),
        ("/" + "a" * 512, "must be at most 512 characters long, got 513"),
        (200, "must be a string, got 200"),
    ],
)
def test_healthcheck_rejects(value, message):
    assert errors_for("dockerfile", healthcheck=value) == [FieldError("healthcheck", message)]


@pytest.mark.parametrize("strategy", ["", "recreate"])
def test_strategy_accepts_known_values(strategy):
    assert errors_for("dockerfile", deploy_strategy=strategy) == []
    assert errors_for("static", deploy_strategy=strategy) == []


@pytest.mark.parametrize("strategy", ["rolling", "Recreate", False, 1])
def test_strategy_rejects_unknown(strategy):
    message = (
        f"must be one of '', 'recreate', 'blue-green', got {strategy!r}"
    )
    assert errors_for("static", deploy_strategy=strategy) == [
        FieldError("deploy_strategy", message)
    ]


def test_blue_green_needs_healthcheck():
    expected = [FieldError("healthcheck", (
        "must be set when deploy_strategy is 'blue-green', because the switch to the new "
        "version waits for it to pass; set a healthcheck path such as '/healthz' or use "
        "deploy_strategy 'recreate'"
    ))]
    assert errors_for("dockerfile", deploy_strategy="blue-green") == expected
    assert errors_for("dockerfile", deploy_strategy="blue-green", healthcheck="") == expected
    assert errors_for("dockerfile", deploy_strategy="blue-green", healthcheck="/up") == []


def test_blue_green_without_healthcheck_is_fine_on_static():
    assert errors_for("static", deploy_strategy="blue-green") == []


@pytest.mark.parametrize("cpu", [0.001, 0.5, 1, 256, 256.0])
def test_cpu_limit_accepts(cpu):
    assert errors_for("dockerfile", resources={"cpu_limit": cpu}) == []


@pytest.mark.parametrize("cpu", [0, 0.0, -1, 256.5, 257, True, "1", float("inf"), float("nan")])
def test_cpu_limit_rejects(cpu):
    assert errors_for("dockerfile", resources={"cpu_limit": cpu}) == [FieldError(
        "resources.cpu_limit",
        f"must be a number greater than 0 and at most 256 cores, got {cpu!r}",
    )]


@pytest.mark.parametrize("memory", [6, 512, 1_048_576])
def test_memory_limit_accepts(memory):
    assert errors_for("dockerfile", resources={"memory_limit": memory}) == []


@pytest.mark.parametrize("memory", [5, 0, 1_048_577, 256.0, True, "256"])
def test_memory_limit_rejects(memory):
    assert errors_for("dockerfile", resources={"memory_limit": memory}) == [FieldError(
        "resources.memory_limit",
        f"must be a whole number from 6 to 1048576 MiB, got {memory!r}",
    )]


@pytest.mark.parametrize(("value", "ok"), [(1, True), (100, True), (0, False), (101, False),
                                           (True, False), (2.0, False)])
def test_max_instances_boundaries(value, ok):
    errors = errors_for("dockerfile", max_instances=value)
    if ok:
        assert errors == []
    else:
        assert errors == [FieldError(
            "max_instances", f"must be a whole number from 1 to 100, got {value!r}"
        )]


def test_resources_must_be_an_object():
    assert errors_for("dockerfile", resources=4) == [
        FieldError("resources", "must be an object")
    ]


def test_unknown_nested_key_is_named():
    assert errors_for("dockerfile", resources={"gpu": 1}) == [
        FieldError("resources.gpu", "is not a field of a dockerfile workload")
    ]


def test_every_error_is_reported_at_once():
    errors = errors_for(
        "dockerfile", port=0, healthcheck="x", max_instances=500, deploy_strategy="fast",
    )
    assert [error.field for error in errors] == [
        "port", "healthcheck", "deploy_strategy", "max_instances",
    ]


def test_config_must_be_an_object():
    assert get_source("static").validate([1, 2]) == [
        FieldError("", "the source config must be a JSON object")
    ]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/a/b", "must be a URL starting with https:// or http://, got "
                                  "'ftp://example.com/a/b'"),
        ("https://oauth2:secret@github.com/a/b", "must not contain a user name or token; store "
         "the token in the workload's repository token instead"),
        ("https://github.com/acme", "must name the repository as https://HOST/OWNER/REPO"),
        ("https://github.com/a/b?x=1", "must not contain spaces, a query string or a fragment"),
        ("file:///srv/repo.git", "must be a URL starting with https:// or http://, got "
                                 "'file:///srv/repo.git'"),
    ],
)
def test_repo_url_rejects(url, message):
    assert errors_for("dockerfile", repo_url=url) == [FieldError("repo_url", message)]


def test_file_url_is_accepted_for_git_provider():
    assert errors_for("dockerfile", provider="git", repo_url="file:///srv/repo.git") == []


@pytest.mark.parametrize("branch", ["-evil", "a..b", "a b", "main~1", "refs/heads/x.lock", ""])
def test_branch_rejects_unsafe_names(branch):
    errors = errors_for("dockerfile", branch=branch)
    assert [error.field for error in errors] == ["branch"]


@pytest.mark.parametrize("branch", ["main", "feature/new-ui", "release-1.2"])
def test_branch_accepts_ordinary_names(branch):
    assert errors_for("dockerfile", branch=branch) == []


def test_provider_must_be_known():
    assert errors_for("dockerfile", provider="bitbucket") == [FieldError(
        "provider", "must be one of 'github', 'gitlab', 'gitea', 'git', got 'bitbucket'"
    )]


def test_image_and_compose_require_their_fields():
    assert get_source("image").validate({}) == [FieldError("image", "is required")]
    assert get_source("compose").validate({"compose": "  "}) == [
        FieldError("compose", "must not be empty")
    ]
