"""Bad API payloads, served by the real sandbox over HTTP, landed by the production landing code.

Each case corrupts one record of one page (``connectors.sandbox.payload_faults``) and checks the
decision documented in docs/bad-input.md: a missing field, an undocumented enum value, a huge
string or a duplicated record lands (as NULL, as text, whole, once); a value of the wrong JSON
type, bytes that are not UTF-8 or a null id reject the stream with a message naming the stream and
the record, and nothing of that run lands: tables and cursor stay as the previous run left them,
and the next clean run completes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from connectors.base import ConnectorError, Stream
from connectors.hubspot import hubspot_streams
from connectors.payload_checks import BadRecordError
from connectors.sandbox.clients import hubspot_config, xero_config
from connectors.sandbox.config import SandboxConfig
from connectors.sandbox.faults import ScriptedCorruption
from connectors.sandbox.payload_faults import UNKNOWN_ENUM_VALUE, Corruption
from connectors.sandbox.server import Sandbox, run_sandbox
from connectors.xero import xero_streams
from dagster_project.lib.key_checks import MissingKeyError
from dagster_project.lib.landing import land_stream
from dagster_project.lib.stream_state import read_state

SANDBOX = SandboxConfig(seed=13, scale=0.05, as_of=date(2025, 6, 30))
HUGE = 3 << 20
"""A 3 MiB string: bigger than the JSON reader's default block, far beyond any real field."""


@dataclass(frozen=True)
class Target:
    """One stream to corrupt: which pages, which fields, and how its raw table is keyed."""

    vendor: str
    stream: str
    first_load_pages: str
    """Matches the pages of a first (full) load."""
    incremental_pages: str
    """Matches the pages of a later (incremental) load."""
    key: str
    text_field: str
    """Path of a string field every record carries; ``text_column`` is where it lands."""
    text_column: str
    enum_field: str
    enum_column: str

    def streams(self, sandbox: Sandbox, scratch: Path) -> list[Stream]:
        if self.vendor == "hubspot":
            return hubspot_streams(hubspot_config(sandbox))
        return xero_streams(xero_config(sandbox, scratch / "xero_token.json"))

    @property
    def table(self) -> str:
        return f"raw_{self.vendor}.{self.stream}"


HUBSPOT_DEALS = Target(
    vendor="hubspot",
    stream="deals",
    first_load_pages=r"/hubspot/crm/v3/objects/deals\?",
    incremental_pages=r"/hubspot/crm/v3/objects/deals/search",
    key="id",
    text_field="properties.dealname",
    text_column="dealname",
    enum_field="properties.dealstage",
    enum_column="dealstage",
)
XERO_INVOICES = Target(
    vendor="xero",
    stream="invoices",
    first_load_pages=r"/xero/api.xro/2.0/Invoices\?",
    incremental_pages=r"/xero/api.xro/2.0/Invoices\?",
    key="InvoiceID",
    text_field="InvoiceNumber",
    text_column="InvoiceNumber",
    enum_field="Status",
    enum_column="Status",
)
TARGETS = [pytest.param(HUBSPOT_DEALS, id="hubspot-deals"), pytest.param(XERO_INVOICES, id="xero-invoices")]


@pytest.fixture(scope="module")
def module_sandbox() -> Iterator[Sandbox]:
    with run_sandbox(SANDBOX, port=0) as sandbox:
        yield sandbox


@pytest.fixture
def sb(module_sandbox: Sandbox) -> Iterator[Sandbox]:
    yield module_sandbox
    module_sandbox.faults.reset()


Lander = Callable[..., Any]


@pytest.fixture
def land(sb: Sandbox, tmp_path: Path) -> Lander:
    """``land(target, warehouse_name, flush_rows=...)``: one landing of the target's stream."""

    def run(target: Target, warehouse: str, **options: Any) -> Any:
        stream = next(s for s in target.streams(sb, tmp_path) if s.name == target.stream)
        with duckdb.connect(str(tmp_path / f"{warehouse}.duckdb")) as con:
            return land_stream(con, stream, **options)

    return run


def snapshot(path: Path, target: Target) -> tuple[list[dict[str, Any]], Any]:
    """Every row of the target's tables (key order) and the stream's cursor."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = ? order by 1",
                [f"raw_{target.vendor}"],
            ).fetchall()
        ]
        rows = []
        for table in tables:
            cursor = con.execute(f"select * from raw_{target.vendor}.{table} order by all")
            names = [column[0] for column in cursor.description]
            rows.extend({"_table": table, **dict(zip(names, row, strict=True))} for row in cursor.fetchall())
        return rows, read_state(con, target.vendor, target.stream)


def by_key(path: Path, target: Target) -> dict[Any, dict[str, Any]]:
    """The target's main table as key -> row, without ``_loaded_at`` (it differs per landing)."""
    with duckdb.connect(str(path), read_only=True) as con:
        cursor = con.execute(f"select * exclude (_loaded_at) from {target.table}")
        names = [column[0] for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {row[target.key]: row for row in rows}


def changed_rows(
    clean: dict[Any, dict[str, Any]], corrupted: dict[Any, dict[str, Any]]
) -> dict[Any, set[str]]:
    """Key -> the columns whose value differs between two landings of the same data."""
    assert corrupted.keys() == clean.keys()
    differences = {
        key: {column for column, value in row.items() if corrupted[key][column] != value}
        for key, row in clean.items()
    }
    return {key: columns for key, columns in differences.items() if columns}


# -- cases that land ---------------------------------------------------------------------------

Rows = dict[Any, dict[str, Any]]


def clean_and_corrupted(
    sb: Sandbox, land: Lander, tmp_path: Path, target: Target, corruption: ScriptedCorruption
) -> tuple[Rows, Rows, Any, Any]:
    """Land ``target`` once clean and once with ``corruption`` served: both tables by key, and
    both landings."""
    clean_landing = land(target, "clean")
    sb.faults.corrupt(corruption)
    corrupted_landing = land(target, "corrupted")
    return (
        by_key(tmp_path / "clean.duckdb", target),
        by_key(tmp_path / "corrupted.duckdb", target),
        clean_landing,
        corrupted_landing,
    )


@pytest.mark.parametrize("target", TARGETS)
def test_a_missing_field_lands_as_null(sb: Sandbox, land: Lander, tmp_path: Path, target: Target) -> None:
    corruption = ScriptedCorruption(
        match=target.first_load_pages, corruption=Corruption.MISSING_FIELD, record=3, field=target.text_field
    )
    clean, corrupted, _, _ = clean_and_corrupted(sb, land, tmp_path, target, corruption)
    ((key, columns),) = changed_rows(clean, corrupted).items()
    assert columns == {target.text_column}
    assert clean[key][target.text_column] and corrupted[key][target.text_column] is None


@pytest.mark.parametrize("target", TARGETS)
def test_an_undocumented_enum_value_lands_as_text(
    sb: Sandbox, land: Lander, tmp_path: Path, target: Target
) -> None:
    corruption = ScriptedCorruption(
        match=target.first_load_pages, corruption=Corruption.UNKNOWN_ENUM, record=3, field=target.enum_field
    )
    clean, corrupted, _, _ = clean_and_corrupted(sb, land, tmp_path, target, corruption)
    ((key, columns),) = changed_rows(clean, corrupted).items()
    assert corrupted[key][target.enum_column] == UNKNOWN_ENUM_VALUE
    assert columns <= {target.enum_column, "_is_deleted"}  # Xero: an unknown status is not DELETED


@pytest.mark.parametrize("target", TARGETS)
def test_a_huge_string_lands_whole(sb: Sandbox, land: Lander, tmp_path: Path, target: Target) -> None:
    sb.faults.corrupt(
        ScriptedCorruption(
            match=target.first_load_pages,
            corruption=Corruption.HUGE_STRING,
            record=3,
            field=target.text_field,
            size=HUGE,
        )
    )
    land(target, "corrupted")

    with duckdb.connect(str(tmp_path / "corrupted.duckdb"), read_only=True) as con:
        column = target.text_column
        lengths = con.execute(f"select length({column}) from {target.table} where length({column}) > 1000")
        lengths = lengths.fetchall()
    assert lengths == [(HUGE,)]


@pytest.mark.parametrize("target", TARGETS)
def test_a_record_twice_in_one_page_lands_once(
    sb: Sandbox, land: Lander, tmp_path: Path, target: Target
) -> None:
    corruption = ScriptedCorruption(
        match=target.first_load_pages, corruption=Corruption.DUPLICATE_ID, record=3
    )
    clean, corrupted, clean_landing, corrupted_landing = clean_and_corrupted(
        sb, land, tmp_path, target, corruption
    )
    assert changed_rows(clean, corrupted) == {}
    received = {t.table: t.rows_received for t in clean_landing.tables}
    assert corrupted_landing.tables[0].rows_received == received[target.table] + 1
    assert corrupted_landing.tables[0].rows_in_table == len(clean)


# -- cases that reject the stream --------------------------------------------------------------

REJECTED = [
    pytest.param(
        Corruption.WRONG_TYPE,
        "text",
        BadRecordError,
        r"record 0 of the page \(id '(?P<id>[^']+)'\): {field} is a JSON number; the API documents a string",
        id="wrong-type",
    ),
    pytest.param(
        Corruption.NON_UTF8,
        "text",
        BadRecordError,
        r"record 0 of the page \(id '(?P<id>[^']+)'\): {field} is not valid UTF-8",
        id="non-utf8",
    ),
    pytest.param(
        Corruption.NULL_ID,
        "key",
        MissingKeyError,
        r"{stream}: {stream} record 0 .* has no {key} \(null\)",
        id="null-id",
    ),
]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(("corruption", "field_kind", "error", "message"), REJECTED)
def test_a_bad_record_rejects_the_run_and_keeps_the_previous_one(
    sb: Sandbox,
    land: Lander,
    tmp_path: Path,
    target: Target,
    corruption: Corruption,
    field_kind: str,
    error: type[ConnectorError],
    message: str,
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    land(target, "warehouse")
    before = snapshot(warehouse, target)
    sb.advance(7)  # a week of new and changed records for the incremental run to read
    field = target.text_field if field_kind == "text" else target.key
    sb.faults.corrupt(
        ScriptedCorruption(match=target.incremental_pages, corruption=corruption, record=0, field=field)
    )

    with pytest.raises(error) as raised:
        land(target, "warehouse", flush_rows=1)  # flush per batch: earlier pages did reach the table

    text = str(raised.value)
    pattern = message.format(field=re.escape(field), stream=target.stream, key=target.key)
    found = re.search(pattern, text)
    assert found, text
    assert target.vendor in text
    assert snapshot(warehouse, target) == before

    recovered = land(target, "warehouse")  # the next, clean run completes
    assert recovered.state != before[1]
    if "id" in found.groupdict():
        assert found["id"] in {str(key) for key in by_key(warehouse, target)}
