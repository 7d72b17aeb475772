"""Workloads and the stores beside them: environment variables and public faces."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tinyforge.crypto.fields import EncryptedTextField
from tinyforge.sources import get_source


class Workload(models.Model):
    """An app that Tinyforge runs, built from one source type with its ``source_config``.

    ``repo_token`` is write-only: it is encrypted at rest, can be set or
    cleared, and is never shown in any UI or API.
    """

    class SourceType(models.TextChoices):
        DOCKERFILE = "dockerfile", _("Dockerfile")
        STATIC = "static", _("Static site")
        IMAGE = "image", _("Prebuilt image")
        COMPOSE = "compose", _("Compose stack")

    name = models.SlugField(_("name"), max_length=63, unique=True)
    source_type = models.CharField(_("source type"), max_length=16, choices=SourceType.choices)
    source_config = models.JSONField(_("source config"), default=dict, blank=True)
    repo_token = EncryptedTextField(_("repository token"), blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # GitOps state. Only gitops.services writes these columns, always with
    # targeted updates, so a GitOps write never clobbers an ordinary edit.
    # Database defaults let processes still running the previous release keep
    # inserting workloads between `migrate` and their restart.
    gitops_enabled = models.BooleanField(_("GitOps enabled"), default=False, db_default=False)
    gitops_path = models.CharField(_("GitOps file path"), max_length=255,
                                   default=".tinyforge.yml", db_default=".tinyforge.yml")
    gitops_synced_at = models.DateTimeField(_("last synced"), null=True, blank=True)
    gitops_synced_sha = models.CharField(_("last synced commit"), max_length=64, blank=True,
                                         default="", db_default="")

    class Meta:
        ordering = ["name"]
        verbose_name = _("workload")
        verbose_name_plural = _("workloads")
        permissions = [
            ("manage_gitops", _("Can enable, disable and configure GitOps")),
            ("sync_gitops", _("Can sync the config from the repository")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def source(self):
        return get_source(self.source_type)

    @property
    def has_repo_token(self) -> bool:
        return bool(self.repo_token)

    def clean(self):
        super().clean()
        if self.source_type not in self.SourceType.values:
            return
        errors = self.source.validate(self.source_config)
        if errors:
            raise ValidationError({"source_config": [
                f"{error.field}: {error.message}" if error.field else error.message
                for error in errors
            ]})


env_key_validator = RegexValidator(
    r"^[A-Za-z_][A-Za-z0-9_]*$",
    _("Use letters, digits and underscores, not starting with a digit."),
)


class WorkloadEnv(models.Model):
    """An environment variable of a workload; a secret value is encrypted and write-only."""

    workload = models.ForeignKey(Workload, on_delete=models.CASCADE, related_name="env")
    key = models.CharField(_("key"), max_length=128, validators=[env_key_validator])
    value = models.TextField(_("value"), blank=True, default="")
    is_secret = models.BooleanField(_("secret"), default=False)
    secret_value = EncryptedTextField(_("secret value"), blank=True, default="")

    class Meta:
        ordering = ["workload", "key"]
        verbose_name = _("environment variable")
        verbose_name_plural = _("environment variables")
        constraints = [
            models.UniqueConstraint(fields=["workload", "key"], name="workloadenv_unique_key"),
        ]

    def __str__(self) -> str:
        return self.key

    def set_value(self, value: str) -> None:
        """Store ``value`` in the column its secrecy calls for and clear the other one."""
        if self.is_secret:
            self.secret_value, self.value = value, ""
        else:
            self.value, self.secret_value = value, ""


hostname_validator = RegexValidator(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$",
    _("Enter a lowercase host name such as app.example.com."),
)
path_prefix_validator = RegexValidator(
    r"^/[A-Za-z0-9._~/-]*$", _("Start with '/' and use letters, digits, '.', '_', '~', '-', '/'."),
)


class PublicFace(models.Model):
    """A public address routed to a workload: host name, path prefix and target port."""

    workload = models.ForeignKey(Workload, on_delete=models.CASCADE, related_name="faces")
    hostname = models.CharField(_("host name"), max_length=253, validators=[hostname_validator])
    path_prefix = models.CharField(
        _("path prefix"), max_length=255, default="/", validators=[path_prefix_validator]
    )
    target_port = models.PositiveIntegerField(
        _("target port"), validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )

    class Meta:
        ordering = ["hostname", "path_prefix"]
        verbose_name = _("public face")
        verbose_name_plural = _("public faces")
        constraints = [
            models.UniqueConstraint(
                fields=["hostname", "path_prefix"], name="publicface_unique_route"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hostname}{self.path_prefix}"
