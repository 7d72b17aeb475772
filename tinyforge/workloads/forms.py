"""Admin forms that keep secrets write-only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tinyforge.workloads.models import Workload, WorkloadEnv


class WriteOnlySecretMixin:
    """Handle a write-only secret: a password input that is never filled, plus a clear box.

    Leaving the input empty keeps the stored secret; typing a value replaces it;
    ticking the box removes it.
    """

    def add_secret_fields(self, label, help_text):
        self.fields["new_secret"] = forms.CharField(
            label=label, required=False, strip=True,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
            help_text=help_text,
        )
        self.fields["clear_secret"] = forms.BooleanField(
            label=_("Clear the stored value"), required=False,
        )

    def secret_change(self):
        """Return the new secret, "" to clear it, or None to keep the stored one."""
        if self.cleaned_data.get("clear_secret"):
            return ""
        return self.cleaned_data.get("new_secret") or None


class WorkloadAdminForm(WriteOnlySecretMixin, forms.ModelForm):
    class Meta:
        model = Workload
        fields = ["name", "source_type", "source_config"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        state = _("A token is stored.") if self.instance.repo_token else _("No token is stored.")
        self.add_secret_fields(
            _("Repository token"),
            _("%(state)s It is write-only: type a new token to replace it.") % {"state": state},
        )

    def save(self, commit=True):
        change = self.secret_change()
        if change is not None:
            self.instance.repo_token = change
        return super().save(commit=commit)


class WorkloadEnvForm(WriteOnlySecretMixin, forms.ModelForm):
    class Meta:
        model = WorkloadEnv
        fields = ["key", "is_secret", "value"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_secret_fields(
            _("Secret value"), _("Write-only. Leave empty to keep the stored secret."),
        )
        self.fields["value"].help_text = _("Plain value; leave empty for a secret.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_secret") and cleaned.get("value"):
            self.add_error("value", _(
                "A secret goes in the secret value field, which is never shown again."
            ))
        return cleaned

    def save(self, commit=True):
        if self.instance.is_secret:
            self.instance.value = ""
            change = self.secret_change()
            if change is not None:
                self.instance.secret_value = change
        else:
            self.instance.secret_value = ""
        return super().save(commit=commit)
