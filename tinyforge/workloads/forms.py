"""Admin forms that keep secrets write-only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tinyforge.workloads.models import Workload, WorkloadEnv


def secret_input(label):
    return forms.CharField(
        label=label, required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class WriteOnlySecretMixin:
    """Handle a write-only secret: a password input that is never filled, plus a clear box.

    Leaving the input empty keeps the stored secret; typing a value replaces it;
    ticking the box removes it.
    """

    def secret_change(self):
        """Return the new secret, "" to clear it, or None to keep the stored one."""
        if self.cleaned_data.get("clear_secret"):
            return ""
        return self.cleaned_data.get("new_secret") or None


class WorkloadAdminForm(WriteOnlySecretMixin, forms.ModelForm):
    new_secret = secret_input(_("Repository token"))
    clear_secret = forms.BooleanField(label=_("Clear the stored token"), required=False)

    class Meta:
        model = Workload
        fields = ["name", "source_type", "source_config"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        state = _("A token is stored.") if self.instance.repo_token else _("No token is stored.")
        self.fields["new_secret"].help_text = _(
            "%(state)s It is write-only: type a new token to replace it."
        ) % {"state": state}

    def save(self, commit=True):
        change = self.secret_change()
        if change is not None:
            self.instance.repo_token = change
        return super().save(commit=commit)


class WorkloadEnvForm(WriteOnlySecretMixin, forms.ModelForm):
    new_secret = secret_input(_("Secret value"))
    clear_secret = forms.BooleanField(label=_("Clear the secret"), required=False)

    class Meta:
        model = WorkloadEnv
        fields = ["key", "is_secret", "value"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_secret"].help_text = _(
            "Write-only. Leave empty to keep the stored secret."
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
