"""Static files with DEBUG on: the demo serves them without collectstatic."""

from tests.manage_process import GOOD_KEY, run_manage

# Printed by the child process: the stylesheet's status, the login page's status, and
# whether the page links the stylesheet by its plain, unhashed name.
PROBE_SCRIPT = """
from django.test import Client
client = Client()
print(client.get("/static/admin/css/base.css").status_code)
login_page = client.get("/admin/login/")
print(login_page.status_code)
print("/static/admin/css/base.css" in login_page.content.decode())
"""


def test_debug_serves_static_without_collectstatic(tmp_path):
    result = run_manage(
        "shell", "--no-imports", "-c", PROBE_SCRIPT,
        DEBUG="on",
        TINYFORGE_ENCRYPTION_KEYS=GOOD_KEY,
        DATABASE_URL=f"sqlite:///{tmp_path / 'tinyforge.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static-never-collected"),
        ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr

    stylesheet_status, login_status, links_unhashed_name = result.stdout.split()
    assert stylesheet_status == "200"
    assert login_status == "200"
    assert links_unhashed_name == "True"
