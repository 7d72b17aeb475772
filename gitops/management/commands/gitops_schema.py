import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gitops.schema import SCHEMA_PATH, render_json_schema


class Command(BaseCommand):
    help = (
        "Print the JSON Schema of .tinyforge.yml version 1, or write it to a file. With "
        f"--check, exit 1 when the file differs. The published copy is {SCHEMA_PATH}."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--output", metavar="PATH", help="Write the schema to PATH.")
        parser.add_argument(
            "--check", action="store_true",
            help="Compare PATH with the generated schema instead of writing it.",
        )

    def handle(self, *args, **options):
        schema = render_json_schema()
        output = options["output"]
        if output is None:
            if options["check"]:
                raise CommandError(_("--check needs --output PATH"), returncode=2)
            self.stdout.write(schema, ending="")
            return

        path = Path(output)
        if options["check"]:
            current = path.read_text(encoding="utf-8") if path.is_file() else None
            if current != schema:
                self.stderr.write(_(
                    "%(path)s is not current; run `manage.py gitops_schema --output %(path)s`"
                ) % {"path": output})
                sys.exit(1)
            self.stdout.write(_("%(path)s is current") % {"path": output})
            return
        path.write_text(schema, encoding="utf-8")
        self.stdout.write(_("Wrote %(path)s") % {"path": output})
