"""``make demo`` SIGKILLed while it lands, while dbt builds and while it exports; the next run
finishes, in the same DAGSTER_HOME, with marts and exports equal to a clean run's.

Each run is ``python -m dagster_project demo`` in its own process, exactly as ``make demo`` runs
it; the test watches the run's events in the instance and kills the process with SIGKILL at the
chosen moment, as the OOM killer or a power cut would. The kills follow one another in one data
directory, so the second and third runs must each get past the dead run before them (a wedged
pipeline hangs there, which the runs' time limit turns into a failure). A clean run in another
data directory is the reference.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow.parquet as pq
import pytest
from goals_for_business import goals_file_for

from dagster_project.cli.demo import open_demo_instance
from dagster_project.defs.dbt.assets import milemarker_dbt
from dagster_project.defs.exports.assets import export_marts_asset
from dagster_project.defs.resources import CREDENTIAL_VARS
from dagster_project.warehouse.exports import published_files
from sandbox.simulation.config import SandboxConfig

pytestmark = pytest.mark.slow

SEED, SCALE, AS_OF = 3, 0.05, date(2026, 3, 17)
BUSINESS = SandboxConfig(seed=SEED, scale=SCALE, as_of=AS_OF)
RUN_LIMIT_SECONDS = 600
"""A run that has not finished by then is taken as wedged (a clean run takes well under a minute)."""
WATCH_LIMIT_SECONDS = 900
"""Generous: under a parallel suite on 2 cores a small demo run reaches its export in minutes, not seconds."""
POLL_SECONDS = 0.05
DBT_STEP = milemarker_dbt.op.name
EXPORT_STEP = export_marts_asset.op.name


def demo_env(data_dir: Path) -> dict[str, str]:
    """``make demo``'s environment with everything under ``data_dir`` (goals.yml with the business's
    reps included) and a small sandbox business."""
    env = {name: value for name, value in os.environ.items() if name not in CREDENTIAL_VARS}
    return env | {
        "DAGSTER_HOME": str(data_dir / "dagster_home"),
        "MILEMARKER_DATA_DIR": str(data_dir),
        "MILEMARKER_SANDBOX_SEED": str(SEED),
        "MILEMARKER_SANDBOX_SCALE": str(SCALE),
        "MILEMARKER_SANDBOX_AS_OF": AS_OF.isoformat(),
        "MILEMARKER_GOALS_FILE": str(data_dir / "goals.yml"),
    }


def start_demo(data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "dagster_project", "demo"],
            env=demo_env(data_dir),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def finish_demo(data_dir: Path, log: Path) -> int:
    demo = start_demo(data_dir, log)
    try:
        return demo.wait(timeout=RUN_LIMIT_SECONDS)
    finally:
        demo.kill()


def child_pids(pid: int) -> list[int]:
    """The direct children of ``pid`` (from every thread's ``children`` list in ``/proc``)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def is_dbt(pid: int) -> bool:
    """Whether ``pid`` runs dbt (``python .../bin/dbt build ...`` once the launcher has exec'd it)."""
    return any(Path(word).name == "dbt" for word in cmdline(pid).split())


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


@dataclass(frozen=True)
class Progress:
    """What a run has done so far, read from the instance it records into."""

    run_id: str
    started_steps: frozenset[str]
    materialized_steps: frozenset[str]


def progress(instance: dg.DagsterInstance) -> Progress | None:
    runs = instance.get_runs(limit=1)
    if not runs:
        return None
    records = instance.get_records_for_run(
        runs[0].run_id, of_type={dg.DagsterEventType.STEP_START, dg.DagsterEventType.ASSET_MATERIALIZATION}
    ).records
    events = [r.event_log_entry.dagster_event for r in records if r.event_log_entry.dagster_event]
    return Progress(
        run_id=runs[0].run_id,
        started_steps=frozenset(
            e.step_key or "" for e in events if e.event_type == dg.DagsterEventType.STEP_START
        ),
        materialized_steps=frozenset(
            e.step_key or "" for e in events if e.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION
        ),
    )


@dataclass(frozen=True)
class Killed:
    run_id: str
    returncode: int
    dbt_children: tuple[int, ...]
    """dbt processes the run had started, alive when it was killed."""


@contextmanager
def recorded_instance(data_dir: Path) -> Iterator[dg.DagsterInstance]:
    """The instance ``make demo`` records into under ``data_dir``, opened as the demo opens it."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DAGSTER_HOME", demo_env(data_dir)["DAGSTER_HOME"])
        with open_demo_instance() as instance:
            yield instance


def kill_when(
    data_dir: Path, log: Path, previous_runs: int, moment: Callable[[Progress, int], bool]
) -> Killed:
    """Start ``make demo`` and SIGKILL it once ``moment(progress, pid)`` holds for its new run."""
    with recorded_instance(data_dir) as instance:
        demo = start_demo(data_dir, log)
        try:
            deadline = time.monotonic() + WATCH_LIMIT_SECONDS
            while True:
                assert demo.poll() is None, f"{moment.__name__}: the run ended before the moment to kill it"
                assert time.monotonic() < deadline, f"{moment.__name__}: the moment to kill never came"
                now = progress(instance) if len(instance.get_runs()) > previous_runs else None
                if now is not None and moment(now, demo.pid):
                    break
                time.sleep(POLL_SECONDS)
            dbt_children = tuple(pid for pid in child_pids(demo.pid) if is_dbt(pid))
            demo.send_signal(signal.SIGKILL)
            returncode = demo.wait(timeout=60)
        finally:
            demo.kill()
        return Killed(run_id=now.run_id, returncode=returncode, dbt_children=dbt_children)


def landing_committed(now: Progress, pid: int) -> bool:
    """A stream has committed and landing goes on."""
    return any(step.startswith(("hubspot_", "xero_")) for step in now.materialized_steps)


def dbt_building(now: Progress, pid: int) -> bool:
    """dbt has built a model and its process is still running."""
    building = any(is_dbt(child) for child in child_pids(pid))
    return DBT_STEP in now.materialized_steps and building


def exporting(now: Progress, pid: int) -> bool:
    """The export step has started (it writes a new generation; the published one stays whole)."""
    return EXPORT_STEP in now.started_steps


def temporary_exports(data_dir: Path) -> list[Path]:
    """Temporary files and folders (``.<name>.tmp``) anywhere under the export directory."""
    return sorted((data_dir / "exports").rglob(".*.tmp"))


def marts(warehouse: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every mart's rows, sorted: two builds of the same data must agree bit for bit."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        return {t: sorted(con.execute(f"select * from marts.{t}").fetchall(), key=repr) for t in tables}


def exports(export_dir: Path) -> dict[str, list[dict[str, object]]]:
    """Every published Parquet file's rows, sorted."""
    return {
        path.name: sorted(pq.read_table(path).to_pylist(), key=repr) for path in published_files(export_dir)
    }


@dataclass(frozen=True)
class Recovered:
    killed: dict[str, Killed]
    final_returncode: int
    statuses: dict[str, dg.DagsterRunStatus]
    failure_messages: dict[str, str]
    orphans: list[int]
    leftovers: list[Path]
    marts: dict[str, list[tuple[object, ...]]]
    clean_marts: dict[str, list[tuple[object, ...]]]
    exports: dict[str, list[dict[str, object]]]
    clean_exports: dict[str, list[dict[str, object]]]
    log: str


@pytest.fixture(scope="module")
def recovered(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recovered]:
    clean_dir = tmp_path_factory.mktemp("clean")
    goals_file_for(BUSINESS, clean_dir)
    clean_log = clean_dir / "demo.log"
    assert finish_demo(clean_dir, clean_log) == 0, clean_log.read_text()[-3000:]

    data_dir = tmp_path_factory.mktemp("killed")
    goals_file_for(BUSINESS, data_dir)
    log = data_dir / "demo.log"
    killed: dict[str, Killed] = {}
    for runs, (phase, moment) in enumerate(
        [("landing", landing_committed), ("dbt", dbt_building), ("export", exporting)]
    ):
        killed[phase] = kill_when(data_dir, log, runs, moment)
    final = finish_demo(data_dir, log)

    with recorded_instance(data_dir) as instance:
        statuses = {run.run_id: run.status for run in instance.get_runs()}
        failure_messages = {
            each.run_id: "".join(
                record.event_log_entry.message or ""
                for record in instance.get_records_for_run(
                    each.run_id, of_type=dg.DagsterEventType.RUN_FAILURE
                ).records
            )
            for each in killed.values()
        }
    yield Recovered(
        killed=killed,
        final_returncode=final,
        statuses=statuses,
        failure_messages=failure_messages,
        orphans=[pid for each in killed.values() for pid in each.dbt_children if alive(pid)],
        leftovers=temporary_exports(data_dir),
        marts=marts(data_dir / "warehouse.duckdb"),
        clean_marts=marts(clean_dir / "warehouse.duckdb"),
        exports=exports(data_dir / "exports"),
        clean_exports=exports(clean_dir / "exports"),
        log=log.read_text(),
    )


def test_each_kill_struck_mid_run_and_the_next_run_got_past_it(recovered: Recovered) -> None:
    assert {phase: k.returncode for phase, k in recovered.killed.items()} == {
        "landing": -signal.SIGKILL,
        "dbt": -signal.SIGKILL,
        "export": -signal.SIGKILL,
    }
    assert recovered.killed["dbt"].dbt_children, "no dbt process was running when the run was killed"
    assert recovered.final_returncode == 0, recovered.log[-5000:]


def test_the_killed_dbt_build_died_with_its_run(recovered: Recovered) -> None:
    assert recovered.orphans == []


def test_every_killed_run_is_marked_failed_saying_why(recovered: Recovered) -> None:
    for phase, killed in recovered.killed.items():
        assert recovered.statuses[killed.run_id] == dg.DagsterRunStatus.FAILURE, phase
        assert "is gone: it was killed" in recovered.failure_messages[killed.run_id], phase
    in_progress = [run for run, status in recovered.statuses.items() if status == dg.DagsterRunStatus.STARTED]
    assert in_progress == []
    assert recovered.log.count("is gone: it was killed") == 3  # the demo said so as it swept


def test_the_killed_export_left_nothing_behind(recovered: Recovered) -> None:
    assert recovered.leftovers == []


def test_marts_and_exports_equal_a_clean_run(recovered: Recovered) -> None:
    assert recovered.marts.keys() == recovered.clean_marts.keys()
    assert len(recovered.marts) > 20
    for mart, rows in recovered.clean_marts.items():
        assert recovered.marts[mart] == rows, mart
    assert recovered.exports.keys() == recovered.clean_exports.keys()
    assert len(recovered.exports) == len(recovered.marts)
    for name, rows in recovered.clean_exports.items():
        assert recovered.exports[name] == rows, name
