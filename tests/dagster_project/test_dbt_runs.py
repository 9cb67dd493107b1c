"""dbt's per-invocation target folders are pruned to the last few runs, oldest first, by name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from dagster_project.warehouse.dated_dirs import dated_name, prune_oldest
from dagster_project.warehouse.dbt_runs import RUNS_KEPT, new_run_target

START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def make_runs(runs: Path, count: int) -> list[Path]:
    """``count`` finished invocations' folders, oldest first, each with an artefact in it."""
    folders = []
    for i in range(count):
        folder = runs / dated_name(START + timedelta(days=i), f"run{i:05d}")
        folder.mkdir(parents=True)
        (folder / "run_results.json").write_text("{}")
        folders.append(folder)
    return folders


def test_a_new_invocation_keeps_the_last_runs_and_its_own(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    folders = make_runs(runs, RUNS_KEPT + 3)
    target = new_run_target(runs, "0123456789abcdef", START + timedelta(days=30))
    target.mkdir()  # as dbt does when it starts
    assert sorted(runs.iterdir()) == [*folders[-(RUNS_KEPT - 1) :], target]
    assert target.name == "20261223T060000000000Z-01234567"
    assert RUNS_KEPT == 5


def test_the_first_invocation_finds_no_folder_to_prune(tmp_path: Path) -> None:
    target = new_run_target(tmp_path / "runs", "feedc0de" * 4, START)
    assert target.parent == tmp_path / "runs" and not target.parent.exists()


def test_names_sort_by_time_whatever_the_zone(tmp_path: Path) -> None:
    """A timestamp with a UTC offset is named by its UTC time, so zones cannot reorder folders."""
    earlier = datetime(2026, 11, 23, 1, 0, tzinfo=UTC).astimezone(timezone(timedelta(hours=5)))
    later = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert dated_name(earlier, "a") < dated_name(later, "a")
    folders = [tmp_path / dated_name(moment, "x") for moment in (later, earlier)]
    for folder in folders:
        folder.mkdir()
    assert prune_oldest(tmp_path.iterdir(), keep=1) == [folders[1]]
    assert list(tmp_path.iterdir()) == [folders[0]]
