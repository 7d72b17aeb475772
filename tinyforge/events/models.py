"""The append-only audit log."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event."""


class EventLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self):
        raise AppendOnlyError("audit events cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("audit events cannot be updated")


class EventLog(models.Model):
    """One audit event. Rows are inserted once and never changed or deleted by the app.

    ``actor`` and ``workload_name`` are copied at write time, so an event still
    reads correctly after the user or workload is renamed or deleted.
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.CharField(_("actor"), max_length=150)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor user"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    workload = models.ForeignKey(
        "workloads.Workload", verbose_name=_("workload"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="events",
    )
    workload_name = models.CharField(_("workload name"), max_length=63, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = EventLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["workload", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.workload_name}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")

    @classmethod
    def record(cls, action: str, *, actor, workload=None, details: dict | None = None):
        """Insert an event; ``actor`` is a user or a system label such as a command name."""
        if isinstance(actor, str):
            actor_label, actor_user = actor, None
        else:
            actor_label, actor_user = actor.get_username(), actor
        return cls.objects.create(
            action=action,
            actor=actor_label,
            actor_user=actor_user,
            workload=workload,
            workload_name=workload.name if workload is not None else "",
            details=details or {},
        )
