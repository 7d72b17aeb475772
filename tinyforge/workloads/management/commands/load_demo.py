from django.core.management import call_command
from django.core.management.base import BaseCommand

from tinyforge.settings import BASE_DIR
from tinyforge.workloads.models import Workload

DEMO_FIXTURE = BASE_DIR / "fixtures" / "demo.json"


class Command(BaseCommand):
    help = "Load the demo workloads into an empty database; a database with workloads is kept."

    def handle(self, *args, **options):
        if Workload.objects.exists():
            self.stdout.write("Workloads exist already; keeping them.")
            return
        call_command("loaddata", str(DEMO_FIXTURE), verbosity=0)
        self.stdout.write(f"Loaded {Workload.objects.count()} demo workloads.")
