"""The dbt CLI resource's shortcuts stand on dagster-dbt private hooks: active on the pinned version,
and left out -- dbt still building, the stock way -- when an upgrade reshapes those hooks."""

from __future__ import annotations

import importlib
import logging
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from dagster_dbt import DbtCliResource
from packaging.version import Version

from dagster_project.defs.dbt import cli
from dagster_project.defs.dbt.project import DBT_PROJECT
from dagster_project.warehouse.dbt_leash import launcher_path

HOOKS = ("_cli_version", "_initialize_dbt_core_adapter")


def test_both_shortcuts_are_active_on_the_pinned_dagster_dbt() -> None:
    """If this fails, an upgrade changed a hook: dbt still works, but each command costs up to 13 s
    more CPU (the warning logged at import names the hook); adapt ``defs/dbt/cli.py`` to it."""
    assert cli.VERSION_SHORTCUT and cli.ADAPTER_SHORTCUT
    assert set(HOOKS) <= set(vars(cli.MilemarkerDbtCliResource))


def test_the_known_version_is_the_one_dbt_reports() -> None:
    """The shortcut must answer what dagster-dbt's own ``dbt --version`` probe would."""
    dbt = shutil.which("dbt")
    assert dbt is not None, "defs/dbt/project.py puts this environment's dbt on PATH"
    output = subprocess.check_output([dbt, "--version"], text=True)
    reported = re.search(r"(\d+\.\d+\.\d+)", output)
    assert reported is not None
    resource = cli.MilemarkerDbtCliResource(project_dir=DBT_PROJECT)
    assert resource._cli_version == Version(reported.group(1))


@pytest.fixture
def stock_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """``defs/dbt/cli.py`` imported against a dagster-dbt whose hooks changed shape (the version
    probe a plain property, the adapter setup with one more parameter); yields the stock hooks'
    calls. Afterwards the module holds its original objects again."""
    calls: list[str] = []
    original = dict(vars(cli))
    probe = vars(DbtCliResource)["_cli_version"].func
    setup = DbtCliResource._initialize_dbt_core_adapter

    def reshaped_probe(self: DbtCliResource) -> Version:
        calls.append("dbt --version")
        return probe(self)

    def reshaped_setup(self: DbtCliResource, args: list[str], extra: object = None) -> object:
        calls.append("adapter")
        return setup(self, args)

    monkeypatch.setattr(DbtCliResource, "_cli_version", property(reshaped_probe))
    monkeypatch.setattr(DbtCliResource, "_initialize_dbt_core_adapter", reshaped_setup)
    importlib.reload(cli)
    yield calls
    monkeypatch.undo()
    vars(cli).update(original)


def tiny_dbt_project(root: Path) -> Path:
    """A one-model dbt project on its own DuckDB file: the hooks do not depend on the project, and
    parsing Milemarker's would cost a minute."""
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text("name: tiny\nversion: '1.0'\nprofile: tiny\n")
    outputs = {"local": {"type": "duckdb", "path": str(root / "tiny.duckdb")}}
    (root / "profiles.yml").write_text(yaml.safe_dump({"tiny": {"target": "local", "outputs": outputs}}))
    (root / "models" / "one.sql").write_text("select 1 as one\n")
    return root


def test_an_upgrade_that_reshapes_the_hooks_costs_the_shortcuts_not_the_build(
    stock_calls: list[str], caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    assert not cli.VERSION_SHORTCUT and not cli.ADAPTER_SHORTCUT
    assert not set(HOOKS) & set(vars(cli.MilemarkerDbtCliResource)), "no override of a changed hook"
    warned = [r.levelno for r in caplog.get_records("setup") if r.name == cli.__name__]
    assert warned == [logging.WARNING] * 2, "one warning per changed hook, when the module is imported"

    project = tiny_dbt_project(tmp_path / "tiny")
    resource = cli.MilemarkerDbtCliResource(
        project_dir=str(project), profiles_dir=str(project), dbt_executable=str(launcher_path())
    )
    invocation = resource.cli(["build"], target_path=project / "target")
    invocation.wait()

    assert invocation.is_successful()
    assert [r["status"] for r in invocation.get_artifact("run_results.json")["results"]] == ["success"]
    assert {"dbt --version", "adapter"} <= set(stock_calls), "dbt ran through dagster-dbt's own hooks"
