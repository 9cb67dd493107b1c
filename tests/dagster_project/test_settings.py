"""File locations from the environment: defaults under the repo, relative values from the repo root."""

from __future__ import annotations

from pathlib import Path

import pytest

from dagster_project.lib import settings


def test_defaults_live_under_the_repository_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MILEMARKER_DATA_DIR", raising=False)
    monkeypatch.delenv("MILEMARKER_DUCKDB", raising=False)
    assert settings.warehouse_path() == settings.REPO_ROOT / "data" / "warehouse.duckdb"
    assert settings.xero_token_store().parent == settings.REPO_ROOT / "data"


def test_data_dir_moves_the_warehouse_unless_it_is_set_itself(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MILEMARKER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MILEMARKER_DUCKDB", raising=False)
    assert settings.warehouse_path() == tmp_path / "warehouse.duckdb"

    monkeypatch.setenv("MILEMARKER_DUCKDB", "elsewhere/w.duckdb")
    assert settings.warehouse_path() == settings.REPO_ROOT / "elsewhere" / "w.duckdb"
