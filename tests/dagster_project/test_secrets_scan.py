"""No secret in anything a run leaves behind: ``python -m dagster_project demo`` with canary credentials.

The sandbox is started here with recognisable fake credentials, and the demo runs in a subprocess
against it as if it were the real APIs (credentials and URLs from the environment, exactly how a
user configures production), with its own DAGSTER_HOME and data directory. Afterwards every byte
the run produced is searched for each secret -- the configured ones and the access and refresh
tokens the sandbox issued during the run -- raw and base64-, urlsafe-base64-, URL- and
Basic-auth-encoded: stdout/stderr, the Dagster instance (run and event storage, compute logs), the
warehouse (exported to CSV first, since DuckDB compresses), the Parquet exports (read as text), and
the dbt logs and artifacts the run wrote. The Xero token store is the one file allowed to hold a
(rotated) token; it must be 0600.
"""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote, quote_plus

import duckdb
import orjson
import pyarrow.parquet as pq
import pytest
from goals_for_business import goals_file_for

from dagster_project.settings import DBT_PROJECT_DIR, REPO_ROOT
from sandbox.service.auth import SandboxCredentials
from sandbox.service.server import run_sandbox
from sandbox.simulation.config import SandboxConfig

pytestmark = pytest.mark.slow

CANARIES = SandboxCredentials(
    hubspot_access_token="pat-na1-CANARY-hubspot-token-7f3a9c1e",
    xero_client_id="CANARYCLIENTID0000000000000000AB",
    xero_client_secret="CANARY-xero-client-secret-d41d8cd98f00",
    xero_refresh_token="CANARY-xero-refresh-token-0badc0ffee11",
    xero_tenant_id="0c0ffee0-0000-4000-8000-00000000ca1a",
)
SANDBOX = SandboxConfig(seed=21, scale=0.05, as_of=date.today())


@pytest.fixture(scope="module")
def demo_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, subprocess.CompletedProcess[bytes], float]]:
    """The demo's working directory, its finished process and when it started (epoch seconds)."""
    root = tmp_path_factory.mktemp("secrets-demo")
    with run_sandbox(SANDBOX, port=0, credentials=CANARIES) as sandbox:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("HUBSPOT_", "XERO_", "MILEMARKER_", "DAGSTER_"))
        }
        env |= sandbox.env() | {
            "DAGSTER_HOME": str(root / "dagster_home"),
            "MILEMARKER_DATA_DIR": str(root / "data"),
            "MILEMARKER_GOALS_FILE": str(goals_file_for(SANDBOX, root)),
        }
        started = time.time()
        finished = subprocess.run(
            [sys.executable, "-m", "dagster_project", "demo"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            timeout=900,
            check=False,
        )
        yield root, finished, started


def secrets_in_play(root: Path) -> list[str]:
    """The configured secrets plus the access and refresh tokens the sandbox handed out."""
    stored = orjson.loads((root / "data" / "xero_token.json").read_bytes())
    return [
        CANARIES.hubspot_access_token,
        CANARIES.xero_client_secret,
        CANARIES.xero_refresh_token,
        stored["refresh_token"],
        stored["access_token"],
    ]


def encodings(secret: str) -> dict[str, bytes]:
    """The forms a secret takes in headers, URLs and logs, as bytes to search for."""
    raw = secret.encode()
    basic = f"{CANARIES.xero_client_id}:{secret}".encode()
    return {
        "raw": raw,
        "base64": base64.b64encode(raw).rstrip(b"="),
        "urlsafe-base64": base64.urlsafe_b64encode(raw).rstrip(b"="),
        "url": quote(secret, safe="").encode(),
        "form": quote_plus(secret).encode(),
        "basic-auth": base64.b64encode(basic).rstrip(b"="),
    }


def readable_bytes(path: Path, scratch: Path) -> bytes:
    """A file's content as searchable bytes: DuckDB exported to CSV, Parquet decoded, others raw."""
    if path.suffix == ".parquet":
        return orjson.dumps(pq.read_table(path).to_pylist(), default=str)
    if path.suffix == ".duckdb":
        target = scratch / path.name
        target.parent.mkdir(parents=True)
        with duckdb.connect(str(path), read_only=True) as con:
            con.execute(f"EXPORT DATABASE '{target}' (FORMAT csv)")
        return b"".join(p.read_bytes() for p in sorted(target.rglob("*")) if p.is_file())
    return path.read_bytes()


def written_files(root: Path, started: float) -> list[Path]:
    """Everything under the demo's own directories, and what it wrote into the dbt project."""
    ours = [p for p in root.rglob("*") if p.is_file() and not p.name.startswith("xero_token.json")]
    dbt_output = [
        p
        for folder in ("target", "logs")
        for p in (DBT_PROJECT_DIR / folder).rglob("*")
        if p.is_file() and p.stat().st_mtime >= started
    ]
    return ours + dbt_output


def test_the_demo_succeeds_against_canary_credentials(demo_run) -> None:
    root, finished, _ = demo_run
    assert finished.returncode == 0, finished.stderr.decode(errors="replace")[-3000:]
    with duckdb.connect(str(root / "data" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw_xero.invoices").fetchall()[0][0] > 0
        assert con.execute("select count(*) from raw_hubspot.deals").fetchall()[0][0] > 0


def test_no_secret_in_output_logs_run_records_warehouse_or_exports(demo_run, tmp_path: Path) -> None:
    root, finished, started = demo_run
    secrets = secrets_in_play(root)
    haystacks = {"stdout": finished.stdout, "stderr": finished.stderr}
    files = written_files(root, started)
    assert any(p.suffix == ".parquet" for p in files) and any(p.suffix == ".db" for p in files)
    haystacks |= {str(p): readable_bytes(p, tmp_path / f"export-{i}") for i, p in enumerate(files)}

    leaks = [
        f"{where}: {kind} form of secret #{number}"
        for number, secret in enumerate(secrets)
        for kind, needle in encodings(secret).items()
        for where, content in haystacks.items()
        if needle in content
    ]
    assert leaks == []


def test_the_token_store_is_private(demo_run) -> None:
    root, _, _ = demo_run
    store = root / "data" / "xero_token.json"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.with_name("xero_token.json.lock").stat().st_mode) == 0o600
    assert CANARIES.xero_client_secret.encode() not in store.read_bytes()
    assert CANARIES.xero_refresh_token.encode() not in store.read_bytes()  # rotated away on first use


def test_the_scan_finds_a_secret_planted_in_each_kind_of_file(tmp_path: Path) -> None:
    """The scan is only evidence if it can see through DuckDB's compression and Parquet's encoding."""
    secret = CANARIES.xero_client_secret
    warehouse = tmp_path / "planted.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table leak as select ? as note from range(1000)", [f"Bearer {secret}"])
        con.execute(f"copy leak to '{tmp_path / 'planted.parquet'}' (format parquet, compression zstd)")
    log = tmp_path / "planted.log"
    log.write_text(f"Authorization: Basic {encodings(secret)['basic-auth'].decode()}\n")
    for path in (warehouse, tmp_path / "planted.parquet", log):
        content = readable_bytes(path, tmp_path / f"scan-{path.suffix.lstrip('.')}")
        assert any(needle in content for needle in encodings(secret).values()), path.name
