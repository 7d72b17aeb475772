"""Headless Chromium driven by Playwright against pytest-django's live server."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

# Playwright's sync API runs an event loop in this thread, and Django refuses
# ORM calls from a thread with a running loop unless this is set.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing; install it with `apt-get install -y chromium` "
                    "(.ci/run does this) to run the browser tests.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _gitops_environment(allow_file_urls, clear_cache):
    """Let the live server read file:// repositories and start from an empty status cache."""


@pytest.fixture
def page(browser, live_server, transactional_db, django_user_model):
    """Open a page logged in as a superuser."""
    django_user_model.objects.create_superuser("root", password="pw-root-1")
    context = browser.new_context(base_url=live_server.url,
                                  viewport={"width": 1280, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    tab.goto("/admin/login/")
    tab.fill("#id_username", "root")
    tab.fill("#id_password", "pw-root-1")
    tab.click("input[type=submit]")
    tab.wait_for_selector("#user-tools")
    yield tab
    context.close()


@pytest.fixture
def screenshot(page, request):
    def take(name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
