"""The GitOps admin in a real browser: panel, sync, bulk action, locked fields, Russian."""

import pytest

from tinyforge.workloads.models import Workload

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DRIFTED = "version: 1\ndeploy:\n  port: 9090\n  max_instances: 3\n"


def change_path(workload):
    return f"/admin/workloads/workload/{workload.pk}/change/"


def test_sync_now_turns_panel_in_sync(page, screenshot, gitops_workload):
    workload = gitops_workload(DRIFTED, name="shop-api")
    page.goto(change_path(workload))
    assert page.inner_text("#gitops-panel .gitops-pill") == "Drifted"
    assert page.input_value("#id_config__port") == "8080"
    screenshot("drifted")

    page.click("#gitops-sync-now")
    page.wait_for_selector("#gitops-confirm-sync")
    assert "9090" in page.inner_text(".gitops-confirm")
    screenshot("confirmation")
    page.click("#gitops-confirm-sync")

    page.wait_for_selector("#gitops-panel")
    assert "Synced shop-api to commit" in page.inner_text(".messagelist")
    assert page.inner_text("#gitops-panel .gitops-pill") == "In sync"
    assert page.input_value("#id_config__port") == "9090"
    screenshot("in-sync")
    assert Workload.objects.get(pk=workload.pk).source_config["port"] == 9090


def test_bulk_sync_with_one_failure(page, screenshot, gitops_workload):
    good = [gitops_workload(DRIFTED, name=f"bulk-{n}") for n in (1, 2)]
    broken = gitops_workload(DRIFTED, name="bulk-broken",
                             repo_url="file:///nonexistent/tinyforge-repo")
    page.goto("/admin/workloads/workload/")
    for workload in [*good, broken]:
        page.check(f"input[name=_selected_action][value='{workload.pk}']")
    page.select_option("select[name=action]", "sync_from_repo")
    page.click("button[name=index]")

    page.wait_for_selector(".gitops-skipped")
    assert "bulk-broken" in page.inner_text(".gitops-skipped")
    screenshot("confirmation")
    page.click("#gitops-confirm-sync")

    page.wait_for_selector(".messagelist")
    messages = page.inner_text(".messagelist")
    assert "Synced bulk-1 to commit" in messages
    assert "Synced bulk-2 to commit" in messages
    assert "Skipped bulk-broken" in messages
    screenshot("result")


def test_locked_field_cannot_be_edited(page, screenshot, gitops_workload):
    workload = gitops_workload(DRIFTED, name="locked-api")
    page.goto(change_path(workload))
    port = page.locator("#id_config__port")
    assert port.is_disabled()
    assert "Managed by .tinyforge.yml at commit" in page.inner_text(".field-config__port")

    # Remove the disabled attribute as a user with developer tools could, then save.
    port.evaluate("input => { input.removeAttribute('disabled'); "
                  "input.removeAttribute('aria-disabled'); }")
    port.fill("7000")
    page.click("input[name=_save]")
    page.wait_for_selector(".errornote")
    assert "port is managed by .tinyforge.yml" in page.inner_text(".errorlist")
    screenshot("rejected")
    assert Workload.objects.get(pk=workload.pk).source_config["port"] == 8080


def test_switch_to_russian(page, screenshot, gitops_workload):
    workload = gitops_workload(DRIFTED, name="ru-api")
    page.goto(change_path(workload))
    page.select_option("#tinyforge-language-select", "ru")
    page.click("#tinyforge-language-submit")
    page.wait_for_selector("html[lang=ru]")
    assert page.inner_text("#gitops-panel .gitops-pill") == "Расхождение"
    assert page.inner_text("#gitops-sync-now") == "Синхронизировать сейчас"
    screenshot("russian")
