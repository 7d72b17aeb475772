from django.core.management.base import BaseCommand, CommandError

from tinyforge.crypto.stored import rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret with the newest key in TINYFORGE_ENCRYPTION_KEYS. "
        "Values already under the newest key are left alone, so running it again is safe."
    )

    def handle(self, *args, **options):
        report = rotate_all()
        for column, counts in report.columns.items():
            self.stdout.write(
                f"{column}: {counts['rotated']} rotated, {counts['current']} already current, "
                f"{counts['failed']} failed"
            )
        self.stdout.write(
            f"Total: {report.rotated} rotated, {report.current} already current, "
            f"{report.failed} failed."
        )
        if report.failed:
            raise CommandError(
                f"{report.failed} value(s) could not be decrypted with any configured key; "
                "add the key they were encrypted with to TINYFORGE_ENCRYPTION_KEYS and run again."
            )
        if report.rotated:
            self.stdout.write(
                "Every stored secret now uses the newest key; older keys can be removed from "
                "TINYFORGE_ENCRYPTION_KEYS."
            )
