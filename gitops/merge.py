"""Merge a plan onto the live ``source_config`` and validate the result."""

import copy
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from gitops.file_fields import declarable_fields, set_path
from gitops.plan import ApplyPlan
from tinyforge.sources import SourcePlugin, get_path
from tinyforge.sources.fields import FieldError


@dataclass(frozen=True)
class MergeResult:
    """The merged ``source_config`` and every error the source plugin found in it."""

    config: dict
    errors: list[FieldError]

    @property
    def valid(self) -> bool:
        return not self.errors


def merge_and_validate(live_config: dict, plan: ApplyPlan, source: SourcePlugin) -> MergeResult:
    """Deep-merge the plan's patch onto a copy of ``live_config`` and validate the copy.

    Every declared leaf is written, even one whose live value already matches
    (so ``""`` becomes ``recreate`` if the file declares ``recreate``). Omitted
    fields keep their live values. ``live_config`` and the plan are never
    changed. Cross-field rules run on the merged result, so a file may rely
    on a live ``healthcheck`` for ``blue-green``.
    """
    if source.source_type != plan.source_type:
        raise ValueError(_("the plan is for %(plan)s workloads, not %(source)s") % {
            "plan": plan.source_type, "source": source.source_type,
        })
    merged = copy.deepcopy(live_config)
    for path in plan.managed_fields:
        set_path(merged, path, copy.deepcopy(get_path(plan.source_config_patch, path)))
    return MergeResult(merged, source.validate(merged))


def changes(
    live_config: dict, merged: dict, managed_fields: Iterable[str] | None = None,
) -> list[dict]:
    """List ``{"field", "before", "after"}`` for each managed field whose stored value changes.

    The comparison is exact, so a change of spelling such as ``""`` to
    ``recreate`` or 1 to 1.0 is listed and the audit record matches what was
    written. ``before`` and ``after`` are None for a missing field.
    ``managed_fields`` defaults to every field a file may declare.
    """
    if managed_fields is None:
        managed_fields = [config_field.path for config_field in declarable_fields()]
    listed = []
    for path in managed_fields:
        before = get_path(live_config, path, None)
        after = get_path(merged, path, None)
        if type(before) is not type(after) or before != after:
            listed.append({"field": path, "before": before, "after": after})
    return listed
