from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gitops.demo import set_up


class Command(BaseCommand):
    help = (
        "Create demo git repositories under var/ and workloads that show every GitOps state. "
        "Needs TINYFORGE_GIT_ALLOW_FILE_URLS on; running it again keeps what exists."
    )

    def handle(self, *args, **options):
        if not settings.TINYFORGE_GIT_ALLOW_FILE_URLS:
            raise CommandError(
                "The demo repositories are file:// URLs; set TINYFORGE_GIT_ALLOW_FILE_URLS=on "
                "(the .env written by `make demo` does)."
            )
        set_up(log=self.stdout.write)
