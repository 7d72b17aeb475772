"""The Russian catalogs: complete, not fuzzy, compiled, and used by the admin."""

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from .conftest import DRIFTED

CATALOGS = [
    Path(settings.BASE_DIR) / "gitops" / "locale" / "ru" / "LC_MESSAGES" / "django.po",
    Path(settings.BASE_DIR) / "tinyforge" / "locale" / "ru" / "LC_MESSAGES" / "django.po",
]


def parse_po(path):
    """Return the entries of a .po file as dicts of keyword -> text, plus a fuzzy flag."""
    entries, entry, keyword = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry:
                entries.append(entry)
            entry, keyword = None, None
            continue
        entry = entry if entry is not None else {"fuzzy": False}
        if line.startswith("#,") and "fuzzy" in line:
            entry["fuzzy"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[keyword] += ast.literal_eval(line)
        else:
            keyword, _, text = line.partition(" ")
            entry[keyword] = ast.literal_eval(text)
    return entries


def expected_catalog(entries):
    """Build the message catalog that a correct .mo of these entries holds."""
    catalog = {}
    for entry in entries:
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            index = 0
            while f"msgstr[{index}]" in entry:
                catalog[(msgid, index)] = entry[f"msgstr[{index}]"]
                index += 1
        elif msgid:
            catalog[msgid] = entry["msgstr"]
    return catalog


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda path: path.parts[-5])
def test_catalog_has_no_missing_or_fuzzy_entries(po_path):
    entries = parse_po(po_path)
    messages = [entry for entry in entries if entry.get("msgid")]
    assert len(messages) > 100
    fuzzy = [entry["msgid"] for entry in entries if entry["fuzzy"]]
    assert fuzzy == []
    untranslated = [
        entry["msgid"] for entry in messages
        if not all(text for keyword, text in entry.items() if keyword.startswith("msgstr"))
    ]
    assert untranslated == []


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda path: path.parts[-5])
def test_compiled_catalog_matches_po(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing; run manage.py compilemessages"
    with mo_path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    compiled = {key: value for key, value in compiled.items() if key != ""}
    assert compiled == expected_catalog(parse_po(po_path)), (
        f"{mo_path} is older than or differs from its .po; run manage.py compilemessages"
    )


def test_admin_panel_in_russian(client, django_user_model, gitops_workload):
    client.force_login(django_user_model.objects.create_superuser("root", password="pw"))
    workload = gitops_workload(DRIFTED)
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/admin/"})
    assert response.status_code == 302

    page = client.get(reverse("admin:workloads_workload_change", args=[workload.pk])).content
    page = page.decode()
    assert 'data-status="drifted">Расхождение</span>' in page
    assert "Синхронизировать сейчас" in page
    assert "Расхождение: репозиторий → текущее" in page
    assert "Управляется файлом .tinyforge.yml на коммите" in page

    changelist = client.get(reverse("admin:workloads_workload_changelist")).content.decode()
    assert "Синхронизировать из репозитория" in changelist


TRANSLATION_FUNCTIONS = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext",
                         "ngettext_lazy"}


def translatable_literals(package: Path):
    """Yield (file, line, msgid) for each string literal passed to a gettext function."""
    for source in sorted(package.rglob("*.py")):
        if "migrations" in source.parts:
            continue
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in TRANSLATION_FUNCTIONS and isinstance(first, ast.Constant) \
                    and isinstance(first.value, str) and first.value:
                yield source.name, node.lineno, first.value


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda path: path.parts[-5])
def test_catalog_covers_every_python_message(po_path):
    package = po_path.parents[3]
    known = {entry["msgid"] for entry in parse_po(po_path)}
    missing = [f"{name}:{line}: {msgid!r}" for name, line, msgid
               in translatable_literals(package) if msgid not in known]
    assert missing == [], "run makemessages -l ru and translate:\n" + "\n".join(missing)
