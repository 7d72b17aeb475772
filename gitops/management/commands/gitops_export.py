from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gitops.errors import NotEligible
from gitops.services import export_spec
from tinyforge.workloads.models import Workload


class Command(BaseCommand):
    help = (
        "Write a .tinyforge.yml generated from a workload's live config, to commit before "
        "enabling GitOps so the first sync changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", metavar="NAME", help="Workload to export.")
        parser.add_argument("--output", metavar="FILE",
                            help="Write to FILE instead of standard output.")

    def handle(self, *args, name, output, **options):
        try:
            workload = Workload.objects.get(name=name)
        except Workload.DoesNotExist:
            raise CommandError(f"No workload named {name}.", returncode=2) from None
        try:
            text = export_spec(workload)
        except NotEligible as error:
            raise CommandError(error.message, returncode=2) from None
        if not output:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.", returncode=2) from None
        self.stderr.write(f"Wrote {output}.")
