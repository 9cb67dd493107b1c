"""docs/deploy.md, followed as written: production mode on PostgreSQL, backups and restores.

The backup and restore commands are read out of the document (the fenced block after each
``<!-- deploy-test: NAME -->`` marker) and run verbatim with bash, so the document cannot drift from
what works. The run they protect is a real one (``dagster asset materialize``, the goals asset),
recorded in a real instance: SQLite files, or a PostgreSQL server this module starts
(``postgres_server.py``) and that ``milemarker serve --storage postgres`` is pointed at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import requests

from dagster_project.settings import REPO_ROOT
from tests.dagster_project.postgres_server import (
    PostgresServer,
    free_port,
    postgres_bin_dir,
    running_postgres,
)
from tests.dagster_project.serve_process import start_serve, stop, wait_for_webserver

pytestmark = pytest.mark.slow

DEPLOY_DOC = REPO_ROOT / "docs" / "deploy.md"
BIN = Path(sys.executable).parent


def doc_block(name: str) -> str:
    """The bash block that follows ``<!-- deploy-test: name -->`` in docs/deploy.md."""
    match = re.search(
        rf"<!-- deploy-test: {re.escape(name)} -->\s*```bash\n(.*?)```", DEPLOY_DOC.read_text(), re.DOTALL
    )
    assert match, f"docs/deploy.md has no block marked deploy-test: {name}"
    return match.group(1)


def run_doc_blocks(names: list[str], env: dict[str, str]) -> None:
    """Run the named blocks in one bash (``set -euo pipefail``), as a reader pastes them in order."""
    script = "set -euo pipefail\n" + "\n".join(doc_block(name) for name in names)
    result = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server


@pytest.fixture
def deployment(tmp_path: Path) -> dict[str, str]:
    """A service's environment: its own home, data directory and goals file, outside the clone."""
    goals = tmp_path / "etc" / "goals.yml"
    goals.parent.mkdir()
    shutil.copy(REPO_ROOT / "goals.yml", goals)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MILEMARKER_", "DAGSTER_", "HUBSPOT_", "XERO_", "CONNECTWISE_"))
    }
    return env | {
        "DAGSTER_HOME": str(tmp_path / "dagster"),
        "MILEMARKER_DATA_DIR": str(tmp_path / "data"),
        "MILEMARKER_GOALS_FILE": str(goals),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "PATH": f"{BIN}:{postgres_bin_dir()}:{os.environ['PATH']}",
    }


def materialize_goals(env: dict[str, str]) -> str:
    """Land the goals file through Dagster's CLI (a real run in the instance); the run's id."""
    result = subprocess.run(
        [str(BIN / "dagster"), "asset", "materialize", "-m", "dagster_project.definitions",
         "--select", "raw_config/goals"],
        env=env, cwd=REPO_ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0 and "RUN_SUCCESS" in result.stderr, result.stderr[-3000:]
    return _run_ids(env)[0]


def _run_ids(env: dict[str, str]) -> list[str]:
    """The instance's runs, newest first, as ``dagster run list`` prints them."""
    result = subprocess.run(
        [str(BIN / "dagster"), "run", "list"], env=env, cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return re.findall(r"^Run: (\S+)", result.stdout, re.MULTILINE)


def landed_goal_count(env: dict[str, str]) -> int:
    with duckdb.connect(str(Path(env["MILEMARKER_DATA_DIR"]) / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("select count(*) from raw_config.goals").fetchone()[0]


def wipe(env: dict[str, str]) -> None:
    shutil.rmtree(env["DAGSTER_HOME"])
    shutil.rmtree(env["MILEMARKER_DATA_DIR"])
    Path(env["MILEMARKER_GOALS_FILE"]).unlink()


def graphql_runs(url: str) -> dict[str, str]:
    """Run id -> status, as the UI lists them (its GraphQL API)."""
    query = "{ runsOrError { __typename ... on Runs { results { runId status } } } }"
    answer = requests.post(f"{url}/graphql", json={"query": query}, timeout=60).json()
    return {run["runId"]: run["status"] for run in answer["data"]["runsOrError"]["results"]}


def test_sqlite_home_backed_up_and_restored_as_the_doc_says(deployment: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-c", "from dagster_project.cli.instance import ensure_dagster_home as e; e()"],
        env=deployment, check=True, cwd=REPO_ROOT,
    )  # fmt: skip
    run_id = materialize_goals(deployment)
    goals = landed_goal_count(deployment)
    run_doc_blocks(["backup"], deployment)
    wipe(deployment)
    assert not Path(deployment["DAGSTER_HOME"]).exists()

    backups = list(Path(deployment["BACKUP_DIR"]).iterdir())
    assert len(backups) == 1 and oct(backups[0].stat().st_mode)[-3:] == "700"
    run_doc_blocks(["restore"], deployment | {"backup": str(backups[0])})

    assert _run_ids(deployment) == [run_id]
    assert landed_goal_count(deployment) == goals > 0


def test_serve_on_postgres_records_runs_the_ui_lists_and_restores_them(
    deployment: dict[str, str], postgres: PostgresServer
) -> None:
    env = deployment | postgres.environ()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_serve(
        env, Path(env["BACKUP_DIR"]).parent / "serve.log", "--storage", "postgres", "--port", str(port)
    )
    try:
        wait_for_webserver(url, server)
        run_id = materialize_goals(env)
        assert graphql_runs(url) == {run_id: "SUCCESS"}
    finally:
        code, output = stop(server)
    assert code == 0, output[-3000:]
    assert "run history in PostgreSQL" in output
    config = (Path(env["DAGSTER_HOME"]) / "dagster.yaml").read_text()
    assert "MILEMARKER_PG_PASSWORD" in config and postgres.password not in config

    run_doc_blocks(["backup", "backup-postgres"], env)
    backup = next(Path(env["BACKUP_DIR"]).iterdir())
    subprocess.run(
        ["psql", "-h", postgres.host, "-p", str(postgres.port), "-U", postgres.user, "-d", postgres.database,
         "-c", "drop schema public cascade; create schema public"],
        env=env | {"PGPASSWORD": postgres.password}, check=True, capture_output=True,
    )  # fmt: skip
    wipe(env)

    run_doc_blocks(["restore", "restore-postgres"], env | {"backup": str(backup)})
    assert _run_ids(env) == [run_id]
    assert landed_goal_count(env) > 0


def test_serve_names_what_is_wrong_with_postgres_and_never_the_password(
    deployment: dict[str, str], postgres: PostgresServer
) -> None:
    unset = subprocess.run(
        [sys.executable, "-m", "dagster_project", "serve", "--storage", "postgres", "--port", "1"],
        env=deployment | {"MILEMARKER_PG_HOST": "127.0.0.1"}, cwd=REPO_ROOT, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert unset.returncode == 2
    assert "MILEMARKER_PG_PORT, MILEMARKER_PG_USER, MILEMARKER_PG_PASSWORD, MILEMARKER_PG_DB" in unset.stderr

    wrong = "wrong-password-7c1d"
    refused = subprocess.run(
        [sys.executable, "-m", "dagster_project", "serve", "--storage", "postgres", "--port", "1"],
        env=deployment | postgres.environ() | {"MILEMARKER_PG_PASSWORD": wrong},
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert refused.returncode == 2
    assert f"at 127.0.0.1:{postgres.port} as 'milemarker'" in refused.stderr
    assert "password authentication failed" in refused.stderr
    assert wrong not in refused.stderr + refused.stdout
