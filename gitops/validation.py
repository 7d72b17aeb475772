"""Check a ``.tinyforge.yml`` for one source type without a workload: parse, then plan."""

from dataclasses import asdict, dataclass

from gitops.plan import PlanError, build_plan
from gitops.spec import SpecError, parse_spec
from tinyforge.sources import get_path, get_source


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of :func:`validate_file`; ``managed_fields`` is empty when invalid."""

    valid: bool
    source: str
    managed_fields: tuple[str, ...]
    errors: tuple[SpecError, ...]

    def as_dict(self) -> dict:
        """Return the report as the JSON object ``gitops_validate --format json`` prints."""
        return {
            "valid": self.valid,
            "source": self.source,
            "managed_fields": list(self.managed_fields),
            "errors": [asdict(error) for error in self.errors],
        }


def validate_file(data: bytes, source_type: str) -> ValidationReport:
    """Check the bytes of a file as it would apply to a workload of ``source_type``.

    Beyond parsing and planning, cross-field rules run on the declared values
    alone, and only errors on declared fields are kept, because no live value
    can fix them. Rules that depend on undeclared live
    values (a ``blue-green`` file that relies on a live healthcheck) are left
    to the merge at sync time.
    """
    parsed = parse_spec(data)
    if parsed.spec is None:
        return ValidationReport(False, source_type, (), tuple(parsed.errors))
    try:
        plan = build_plan(parsed.spec, source_type)
    except PlanError as error:
        return ValidationReport(False, source_type, (), tuple(error.errors))

    errors = []
    for field_error in get_source(source_type).cross_field_errors(plan.source_config_patch):
        if get_path(plan.source_config_patch, field_error.field, None) is None:
            continue
        path = f"deploy.{field_error.field}"
        line, column = parsed.spec.position(path) or (None, None)
        errors.append(SpecError(path, line, column, field_error.message))
    if errors:
        return ValidationReport(False, source_type, (), tuple(errors))
    return ValidationReport(True, source_type, plan.managed_fields, ())
