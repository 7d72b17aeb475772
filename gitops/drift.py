"""Drift between the file (repo) and the live ``source_config``, over declared leaves only.

Values are normalized, then compared. Every normalization rule lives in
:func:`normalize`:

- ``deploy_strategy: ""`` equals ``recreate``, the platform default;
- a missing ``healthcheck`` equals ``""``;
- a missing ``resources`` mapping equals ``{}``, so its leaves count as missing;
- any other missing leaf is None, which differs from every declared value;
- numbers compare by value (``1`` equals ``1.0``), but a boolean never equals
  a number;
- strings are otherwise exact: ``/healthz`` and ``/healthz/`` differ.
"""

from dataclasses import dataclass

from gitops.plan import ApplyPlan
from tinyforge.sources import fields as f
from tinyforge.sources import get_path
from tinyforge.sources.fields import is_number

# The value an empty string means, by field path.
EMPTY_MEANS = {f.DEPLOY_STRATEGY.path: "recreate"}
# The value a missing (or null) field means, by field path.
MISSING_MEANS = {f.HEALTHCHECK.path: ""}


@dataclass(frozen=True)
class DriftEntry:
    """One declared field: its value in the file, its live value and whether the two match.

    ``live`` is None when the field is missing from the live config.
    """

    field: str
    repo: object
    live: object
    in_sync: bool


def normalize(path: str, value: object) -> object:
    """Return the normalized ``value`` of the field at ``path``. None is a missing value."""
    if value is None:
        return MISSING_MEANS.get(path)
    if value == "" and path in EMPTY_MEANS:
        return EMPTY_MEANS[path]
    return value


def values_match(path: str, repo: object, live: object) -> bool:
    """Return whether ``repo`` and ``live`` mean the same at ``path``, in either order."""
    repo, live = normalize(path, repo), normalize(path, live)
    if is_number(repo) and is_number(live):
        return repo == live
    return type(repo) is type(live) and repo == live


def compute_drift(plan: ApplyPlan, live_config: dict) -> list[DriftEntry]:
    """Compare each managed field of ``plan`` with ``live_config``, in the plan's field order."""
    entries = []
    for path in plan.managed_fields:
        repo = get_path(plan.source_config_patch, path)
        live = get_path(live_config, path, None)
        entries.append(DriftEntry(path, repo, live, values_match(path, repo, live)))
    return entries


def in_sync(drift: list[DriftEntry]) -> bool:
    """Return whether every entry of ``drift`` is in sync; an empty drift is in sync."""
    return all(entry.in_sync for entry in drift)
