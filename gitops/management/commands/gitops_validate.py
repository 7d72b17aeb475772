import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gitops.file_fields import GITOPS_SOURCE_TYPES
from gitops.spec import MAX_FILE_BYTES, SpecError
from gitops.validation import ValidationReport, validate_file

# Exit status of an unreadable file; argparse also exits 2 on bad arguments.
EXIT_UNREADABLE = 2
EXIT_INVALID = 1
STDIN_NAME = "-"


class Command(BaseCommand):
    help = (
        "Check a .tinyforge.yml offline, as it would apply to a workload of the given source "
        "type. Exit status: 0 valid, 1 invalid, 2 unreadable file or bad arguments."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "file", metavar="FILE", help="Path of the file; '-' reads standard input.",
        )
        parser.add_argument(
            "--source", required=True, choices=GITOPS_SOURCE_TYPES,
            help="Source type of the workload that reads the file.",
        )
        parser.add_argument(
            "--format", choices=("text", "json"), default="text",
            help="Output format: one line per error (text, the default) or one JSON object.",
        )

    def handle(self, *args, **options):
        name = options["file"]
        report = validate_file(read_file(name), options["source"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            for line in text_report(name, report):
                self.stdout.write(line)
        if not report.valid:
            sys.exit(EXIT_INVALID)


def read_file(name: str) -> bytes:
    """Read up to one byte more than the size limit, so an oversized file is reported as such."""
    if name == STDIN_NAME:
        return sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
    try:
        with open(name, "rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        message = _("%(file)s does not exist") % {"file": name}
    except IsADirectoryError:
        message = _("%(file)s is a directory; give the path of a .tinyforge.yml file") % {
            "file": name,
        }
    except OSError as error:
        message = _("cannot read %(file)s: %(error)s") % {
            "file": name, "error": error.strerror or error,
        }
    raise CommandError(message, returncode=EXIT_UNREADABLE)


def text_report(name: str, report: ValidationReport) -> list[str]:
    """Return the text output: ``FILE:LINE:COLUMN: field: message`` per error, or one summary."""
    if not report.valid:
        return [format_error(name, error) for error in report.errors]
    if report.managed_fields:
        return [_("%(file)s: valid (%(source)s); manages %(fields)s") % {
            "file": name, "source": report.source, "fields": ", ".join(report.managed_fields),
        }]
    return [_("%(file)s: valid (%(source)s); manages no fields") % {
        "file": name, "source": report.source,
    }]


def format_error(name: str, error: SpecError) -> str:
    """Write one error as ``FILE:LINE:COLUMN: field: message``, leaving out missing parts."""
    location = name
    if error.line is not None:
        location += f":{error.line}"
        if error.column is not None:
            location += f":{error.column}"
    if error.field:
        return f"{location}: {error.field}: {error.message}"
    return f"{location}: {error.message}"
