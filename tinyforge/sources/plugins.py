"""The four source types: dockerfile, static, image and compose."""

from django.utils.translation import gettext as _

from tinyforge.sources import fields as f
from tinyforge.sources.base import SourcePlugin, get_path
from tinyforge.sources.fields import FieldError

GIT_FIELDS = (f.PROVIDER, f.REPO_URL, f.BRANCH)
GIT_REQUIRED = frozenset({"provider", "repo_url"})


class DockerfileSource(SourcePlugin):
    source_type = "dockerfile"
    git_backed = True
    platform_fields = (*GIT_FIELDS, f.DOCKERFILE_PATH, f.BUILD_CONTEXT)
    file_fields = (
        f.PORT, f.HEALTHCHECK, f.DEPLOY_STRATEGY, f.CPU_LIMIT, f.MEMORY_LIMIT, f.MAX_INSTANCES,
    )
    required = GIT_REQUIRED | {"port"}
    defaults = {
        "provider": "github",
        "repo_url": "",
        "branch": "main",
        "dockerfile_path": "Dockerfile",
        "build_context": ".",
        "port": 8000,
    }

    def cross_field_errors(self, config: dict) -> list[FieldError]:
        # Blue-green switches traffic only once the new instance is healthy.
        if get_path(config, "deploy_strategy", "") == "blue-green" and not get_path(
            config, "healthcheck", ""
        ):
            return [FieldError("healthcheck", _(
                "must be set when deploy_strategy is 'blue-green', because the switch to the "
                "new version waits for it to pass; set a healthcheck path such as '/healthz' "
                "or use deploy_strategy 'recreate'"
            ))]
        return []


class StaticSource(SourcePlugin):
    source_type = "static"
    git_backed = True
    platform_fields = (*GIT_FIELDS, f.PUBLISH_DIR, f.BUILD_COMMAND)
    file_fields = (f.DEPLOY_STRATEGY,)
    required = GIT_REQUIRED
    defaults = {
        "provider": "github",
        "repo_url": "",
        "branch": "main",
        "publish_dir": "public",
        "build_command": "",
    }


class ImageSource(SourcePlugin):
    source_type = "image"
    platform_fields = (f.IMAGE, f.PORT)
    required = frozenset({"image"})
    defaults = {"image": "", "port": 8000}


class ComposeSource(SourcePlugin):
    source_type = "compose"
    platform_fields = (f.COMPOSE,)
    required = frozenset({"compose"})
    defaults = {"compose": ""}
