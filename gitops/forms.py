"""Forms of the GitOps workload admin: typed source-config fields and the GitOps settings.

The source config is edited through one form field per ``ConfigField`` of
the source plugins, never as raw JSON. Every config field renders a hidden
copy of the value it showed (``show_hidden_initial``), so the admin can tell
the services which leaves the editor changed. The services apply only those
onto the row as it is now, so a sync that landed while the form was open
survives the save.
"""

import copy

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gitops.errors import InvalidConfig, ManagedFieldsLocked
from gitops.file_fields import set_path
from gitops.status import Status
from tinyforge.sources import SOURCES, get_path, get_source
from tinyforge.workloads.forms import WorkloadAdminForm

FIELD_PREFIX = "config__"

FIELD_LABELS = {
    "port": _("Port"),
    "healthcheck": _("Health check path"),
    "deploy_strategy": _("Deploy strategy"),
    "resources.cpu_limit": _("CPU limit (cores)"),
    "resources.memory_limit": _("Memory limit (MiB)"),
    "max_instances": _("Max instances"),
    "provider": _("Git provider"),
    "repo_url": _("Repository URL"),
    "branch": _("Branch"),
    "dockerfile_path": _("Dockerfile path"),
    "build_context": _("Build context"),
    "publish_dir": _("Publish directory"),
    "build_command": _("Build command"),
    "image": _("Image"),
    "compose": _("Compose file"),
}

CHOICE_LABELS = {
    "": _("Platform default (recreate)"),
    "recreate": _("Recreate"),
    "blue-green": _("Blue-green"),
    "github": "GitHub",
    "gitlab": "GitLab",
    "gitea": "Gitea / Forgejo",
    "git": _("Any git remote"),
}


def form_field_name(path: str) -> str:
    """Return the form field name of a dotted source-config path."""
    return FIELD_PREFIX + path.replace(".", "__")


def config_fields_for(source_types) -> list:
    """List the ConfigFields of the given source types once each, in plugin order."""
    seen, result = set(), []
    for source_type in source_types:
        for config_field in get_source(source_type).fields:
            if config_field.path not in seen:
                seen.add(config_field.path)
                result.append(config_field)
    return result


def build_form_field(config_field) -> forms.Field:
    """Build the typed form field of one ConfigField: its kind, range and choices."""
    common = {
        "label": FIELD_LABELS.get(config_field.path, config_field.path),
        # The plugin marks its descriptions with gettext_noop, so the catalog has them.
        "help_text": _(config_field.description),
        "required": False,
        "show_hidden_initial": True,
    }
    if config_field.kind == "integer":
        return forms.IntegerField(min_value=config_field.minimum,
                                  max_value=config_field.maximum, **common)
    if config_field.kind == "number":
        # The plugin's validation enforces an exclusive minimum such as cpu_limit > 0.
        minimum = None if config_field.exclusive_minimum else config_field.minimum
        return forms.FloatField(min_value=minimum, max_value=config_field.maximum, **common)
    if config_field.choices:
        choices = [(choice, CHOICE_LABELS.get(choice, choice)) for choice in config_field.choices]
        if "" not in config_field.choices:
            choices.insert(0, ("", "---------"))
        return forms.ChoiceField(choices=choices, **common)
    if config_field.path == "compose":
        return forms.CharField(strip=False, widget=forms.Textarea(attrs={"rows": 8}), **common)
    return forms.CharField(max_length=config_field.max_length, **common)


def _is_empty(value) -> bool:
    return value is None or value == ""


def _set_path(config: dict, path: str, value) -> None:
    """Set or, for an empty value, remove a dotted path; drop parents left empty."""
    *parents, leaf = path.split(".")
    if _is_empty(value):
        nodes = [config]
        for part in parents:
            child = nodes[-1].get(part)
            if not isinstance(child, dict):
                return
            nodes.append(child)
        nodes[-1].pop(leaf, None)
        for part, node in zip(reversed(parents), reversed(nodes[:-1]), strict=True):
            if node.get(part) == {}:
                node.pop(part)
        return
    set_path(config, path, value)


class WorkloadConfigForm(WorkloadAdminForm):
    """The workload form with typed source-config fields and the GitOps lock.

    The admin builds a subclass per request with ``workload_form_class``, which
    declares the config fields and sets the lock. ``locked_paths`` lists the
    fields the file manages, or every file field when the file cannot be read.
    ``gitops_rejection`` is the services' error from a save the gate rejected,
    shown on the re-rendered form, and ``gitops_status`` is the status read.
    """

    config_fields: tuple = ()
    locked_paths: frozenset = frozenset()
    gitops_status = None
    gitops_rejection = None

    class Meta(WorkloadAdminForm.Meta):
        fields = ["name", "source_type"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.original_config = None
        self.proposed_config = None
        self._config_invalid = False
        live = self._live_config()
        for config_field in self.config_fields:
            name = form_field_name(config_field.path)
            value = get_path(live, config_field.path, None)
            if self.instance.pk is None and value is None:
                value = _default_for(config_field.path)
            self.fields[name].initial = value
            if config_field.path in self.locked_paths:
                self._lock(name)

    def _live_config(self) -> dict:
        config = self.instance.source_config
        return copy.deepcopy(config) if isinstance(config, dict) else {}

    def _lock(self, name: str) -> None:
        field = self.fields[name]
        # The widget is disabled, not the field: the browser then leaves the
        # value out, and a forged value still reaches the services' gate.
        field.widget.attrs.update({"disabled": True, "aria-disabled": "true"})
        status = self.gitops_status
        if status is not None and status.status is Status.OK:
            field.help_text = gettext(
                "Managed by %(path)s at commit %(sha)s. Change it in the repository and sync."
            ) % {"path": status.path, "sha": (status.commit_sha or "")[:12]}
        elif status is not None:
            field.help_text = gettext(
                "Locked because %(path)s cannot be read and may declare this field."
            ) % {"path": status.path}

    @property
    def fail_closed(self) -> bool:
        """True when fields are locked because the file could not be read."""
        status = self.gitops_status
        return bool(self.locked_paths) and status is not None and status.status in (
            Status.FETCH_FAILED, Status.INVALID,
        ) and not status.managed_fields

    # Reading the submitted values ------------------------------------------------------

    def _shown_value(self, config_field):
        """Return the value the form showed, read from its hidden initial input."""
        name = form_field_name(config_field.path)
        field = self.fields[name]
        initial_name = self.add_initial_prefix(name)
        if initial_name not in self.data:
            return get_path(self._live_config(), config_field.path, None)
        raw = field.hidden_widget().value_from_datadict(self.data, self.files, initial_name)
        try:
            return field.clean(raw)
        except forms.ValidationError:
            return get_path(self._live_config(), config_field.path, None)

    def _submitted_value(self, config_field):
        name = form_field_name(config_field.path)
        locked_and_absent = (config_field.path in self.locked_paths
                             and self.add_prefix(name) not in self.data)
        if locked_and_absent:
            return self._shown_value(config_field)
        return self.cleaned_data.get(name)

    def _build_config(self, source, value_of) -> dict:
        config = self._live_config()
        for config_field in source.fields:
            _set_path(config, config_field.path, value_of(config_field))
        return config

    # Validation ------------------------------------------------------------------------

    def clean(self):
        cleaned = super().clean()
        source_type = cleaned.get("source_type") or self.instance.source_type
        if source_type not in SOURCES:
            return cleaned
        source = get_source(source_type)
        self.original_config = self._build_config(source, self._shown_value)
        self.proposed_config = self._build_config(source, self._submitted_value)

        for error in source.validate(self.proposed_config):
            self._add_config_error(error.field, error.message)
        if self.gitops_rejection is not None:
            self._add_rejection(self.gitops_rejection)
        if not self._config_invalid:
            self.instance.source_config = self.proposed_config
        return cleaned

    def _add_config_error(self, path, message) -> None:
        self._config_invalid = True
        name = form_field_name(path) if path else None
        if name in self.fields:
            if name not in self._errors:
                self.add_error(name, message)
        else:
            self.add_error(None, f"{path}: {message}" if path else message)

    def _add_rejection(self, error) -> None:
        self._config_invalid = True
        self.add_error(None, error.message)
        if isinstance(error, ManagedFieldsLocked):
            for path in error.fields:
                name = form_field_name(path)
                if name in self.fields and name not in self._errors:
                    self.add_error(name, gettext("This field is managed by the repository file."))
        elif isinstance(error, InvalidConfig):
            for item in error.errors:
                if item.field:
                    self._add_config_error(item.field, item.message)

    def _post_clean(self):
        # The config errors are already on the typed fields; the model's own
        # check would report them again against the hidden JSON column.
        if self._config_invalid:
            return
        super()._post_clean()


def _default_for(path: str):
    for source in SOURCES.values():
        if path in source.defaults:
            return source.defaults[path]
    return None


def workload_form_class(source_types, *, locked=(), status=None, rejection=None):
    """Build the workload form for ``source_types`` with the GitOps lock applied."""
    config_fields = config_fields_for(source_types)
    attrs = {form_field_name(config_field.path): build_form_field(config_field)
             for config_field in config_fields}
    attrs.update({
        "config_fields": tuple(config_fields),
        "locked_paths": frozenset(locked),
        "gitops_status": status,
        "gitops_rejection": rejection,
    })
    return type("WorkloadConfigForm", (WorkloadConfigForm,), attrs)


class GitOpsSettingsForm(forms.Form):
    """The enable switch and the file path, posted from the change page's panel."""

    enabled = forms.BooleanField(label=_("GitOps enabled"), required=False)
    path = forms.CharField(
        label=_("File path"), max_length=255, required=False,
        help_text=_("Path of the file in the repository; empty means .tinyforge.yml."),
    )
