import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the superuser USERNAME (default: admin) unless it exists. The password comes "
        "from TINYFORGE_ADMIN_PASSWORD, or is generated and printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin", help="User name (default: admin).")

    def handle(self, *args, username, **options):
        users = get_user_model()
        if users.objects.filter(username=username).exists():
            self.stdout.write(
                f"Admin user {username!r} already exists; its password was printed when it was "
                f"created. Reset it with `.venv/bin/python manage.py changepassword {username}`."
            )
            return
        password = os.environ.get("TINYFORGE_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        users.objects.create_superuser(username=username, email="", password=password)
        if os.environ.get("TINYFORGE_ADMIN_PASSWORD"):
            self.stdout.write(
                f"Created admin user {username!r} with the password from TINYFORGE_ADMIN_PASSWORD."
            )
        else:
            self.stdout.write(
                f"Created admin user {username!r} with password: {password}\n"
                "This password is shown only once."
            )
