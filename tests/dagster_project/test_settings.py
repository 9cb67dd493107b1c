"""File locations from the environment: defaults under the repo, relative values from the repo root."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dagster_project import settings


def test_defaults_live_under_the_repository_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MILEMARKER_DATA_DIR", raising=False)
    monkeypatch.delenv("MILEMARKER_DUCKDB", raising=False)
    assert settings.warehouse_path() == settings.REPO_ROOT / "data" / "warehouse.duckdb"
    assert settings.xero_token_store().parent == settings.REPO_ROOT / "data"


def test_the_goals_file_is_the_shipped_one_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MILEMARKER_GOALS_FILE", raising=False)
    assert settings.goals_file_path() == settings.REPO_ROOT / "goals.yml" == settings.SHIPPED_GOALS_FILE

    monkeypatch.setenv("MILEMARKER_GOALS_FILE", "config/our-goals.yml")
    assert settings.goals_file_path() == settings.REPO_ROOT / "config" / "our-goals.yml"
    monkeypatch.setenv("MILEMARKER_GOALS_FILE", "~/goals.yml")
    assert settings.goals_file_path() == Path.home() / "goals.yml"


def test_data_dir_moves_the_warehouse_unless_it_is_set_itself(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MILEMARKER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MILEMARKER_DUCKDB", raising=False)
    assert settings.warehouse_path() == tmp_path / "warehouse.duckdb"

    monkeypatch.setenv("MILEMARKER_DUCKDB", "elsewhere/w.duckdb")
    assert settings.warehouse_path() == settings.REPO_ROOT / "elsewhere" / "w.duckdb"


def dbt_warehouse_path(cli_vars: dict[str, str] | None = None) -> Path:
    """The warehouse ``dbt/profiles.yml`` names in the current environment, rendered as dbt renders it."""
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context

    set_invocation_context(dict(os.environ))  # dbt's env_var() reads the invocation's environment
    profiles = yaml.safe_load((settings.DBT_PROJECT_DIR / "profiles.yml").read_text())
    path = ProfileRenderer(cli_vars or {}).render_value(profiles["milemarker"]["outputs"]["local"]["path"])
    return Path(os.path.normpath(settings.DBT_PROJECT_DIR / path))  # dbt runs inside dbt/


@pytest.mark.parametrize(
    "environment",
    [
        {"MILEMARKER_DATA_DIR": "~/milemarker"},
        {"MILEMARKER_DATA_DIR": "~"},
        {"MILEMARKER_DUCKDB": "~/w/warehouse.duckdb", "MILEMARKER_DATA_DIR": "elsewhere"},
        {"MILEMARKER_DATA_DIR": "relative/dir"},
        {"MILEMARKER_DUCKDB": "/srv/milemarker/w.duckdb"},
        {"MILEMARKER_DUCKDB": "", "MILEMARKER_DATA_DIR": ""},
        {},
    ],
)
def test_python_and_dbt_resolve_the_same_warehouse(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, environment: dict[str, str]
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("MILEMARKER_DATA_DIR", raising=False)
    monkeypatch.delenv("MILEMARKER_DUCKDB", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    assert dbt_warehouse_path() == settings.warehouse_path()
    if any(value.startswith("~") for value in environment.values()):
        assert settings.warehouse_path().is_relative_to(tmp_path)


def test_a_warehouse_path_handed_to_dbt_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MILEMARKER_DUCKDB", "somewhere/else.duckdb")
    handed = tmp_path / "resolved.duckdb"

    assert dbt_warehouse_path({"warehouse_path": str(handed)}) == handed


def test_another_users_home_is_refused_rather_than_guessed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILEMARKER_DATA_DIR", "~milemarker/data")
    monkeypatch.delenv("MILEMARKER_DUCKDB", raising=False)

    with pytest.raises(ValueError, match=r"MILEMARKER_DATA_DIR='~milemarker/data': only ~ and ~/"):
        settings.warehouse_path()


@pytest.mark.slow  # runs dbt
def test_dbt_run_by_hand_opens_the_warehouse_python_uses_under_a_home_relative_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    (home / "milemarker").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("MILEMARKER_DATA_DIR", "~/milemarker")
    monkeypatch.delenv("MILEMARKER_DUCKDB", raising=False)
    environment = {
        **os.environ,
        "DBT_LOG_PATH": str(tmp_path / "logs"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_PROFILES_DIR": str(settings.DBT_PROJECT_DIR),
    }

    debug = subprocess.run(
        [Path(sys.executable).with_name("dbt"), "debug", "--no-use-colors"],
        cwd=settings.DBT_PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )

    assert debug.returncode == 0, debug.stdout + debug.stderr
    assert f"path: {home / 'milemarker' / 'warehouse.duckdb'}" in debug.stdout
    assert settings.warehouse_path() == home / "milemarker" / "warehouse.duckdb"
    assert settings.warehouse_path().exists()  # dbt's connection test opened (and so created) it
