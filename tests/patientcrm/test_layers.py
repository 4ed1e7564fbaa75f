"""The import-linter contracts must name every stage app, or a new app slips past them."""

import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def project_apps() -> set[str]:
    return {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == ROOT.resolve()
    }


def contract(name: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["name"] == name)


def test_the_hub_contract_forbids_every_stage_app():
    stage_apps = project_apps() - {"profiles"}
    assert stage_apps, "no stage app found"
    assert set(contract("The profile hub imports no stage app")["forbidden_modules"]) == stage_apps


def test_no_app_may_import_the_project_package():
    assert set(contract("Apps do not import the project package")["source_modules"]) == (
        project_apps()
    )
