"""Data-quality checks on every raw table: blocking key and row-count checks, schema-change warnings.

- ``primary_key_unique`` and ``row_count_holds`` are **blocking**: a failed one fails its step, so
  nothing downstream of the vendor's raw tables (staging, marts, exports) runs on a broken load;
- ``column_schema_change`` (Dagster's factory) WARNs when a vendor adds, drops or retypes a column
  between two loads: landing absorbs the drift, but staging models may need a look;
- ``no_rejected_records`` WARNs while the table has unresolved rejects in
  ``raw_meta.rejected_records`` (records set aside as unreadable, the rest landed) and is an ERROR,
  blocking what is built on the table, past :func:`~dagster_project.loader.quarantine.past_threshold`
  (more than 1 % of the table's records, or more than 100).

One check step per source rather than one per table: ~30 tables each with its own step would add a
minute of step overhead to every run for no extra information. The steps can be subset, so a job
that lands one stream checks only that stream's tables. The tables are every registered source's
(``connectors.registry.SOURCES``), so a new source or stream is checked the moment it exists.
"""

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
import duckdb

from connectors.catalog import SourceCatalog
from connectors.registry import SOURCES
from dagster_project.defs.resources import WarehouseResource
from dagster_project.defs.streams import raw_table_keys
from dagster_project.loader.quarantine import ERROR_COUNT, ERROR_SHARE, open_rejects, past_threshold
from dagster_project.loader.raw_quality import PRIMARY_KEY_METADATA, key_violations, row_count_problem

ROW_COUNT_CHECK = "row_count_holds"
ROW_COUNT_METADATA = "dagster/row_count"
PRIMARY_KEY_CHECK = "primary_key_unique"
REJECTS_CHECK = "no_rejected_records"


def build_raw_table_checks(catalog: SourceCatalog) -> dg.AssetChecksDefinition:
    """The blocking key and row-count checks of every raw table of a source, in one subsettable step."""
    vendor = catalog.source
    specs = [
        spec
        for key in raw_table_keys(catalog)
        for spec in (
            dg.AssetCheckSpec(
                PRIMARY_KEY_CHECK,
                asset=key,
                blocking=True,
                description="Every row has a complete primary key and no key is held by two rows.",
            ),
            dg.AssetCheckSpec(
                ROW_COUNT_CHECK,
                asset=key,
                blocking=True,
                description="The table holds at least as many rows as after the previous load.",
            ),
            dg.AssetCheckSpec(
                REJECTS_CHECK,
                asset=key,
                blocking=True,
                description=(
                    "No record of the table is waiting in raw_meta.rejected_records (WARN), nor more than "
                    f"{ERROR_SHARE:.0%} of its records or {ERROR_COUNT} of them (ERROR)."
                ),
            ),
        )
    ]

    @dg.multi_asset_check(name=f"{vendor}_raw_table_checks", specs=specs, can_subset=True)
    def _raw_table_checks(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        selected = context.selected_asset_check_keys
        with warehouse.connect(read_only=True) as con:
            rejected = open_rejects(con, vendor)
            for key in sorted({check.asset_key for check in selected}, key=lambda k: k.to_string()):
                latest, previous = _last_two_materializations(context.instance, key)
                if dg.AssetCheckKey(key, PRIMARY_KEY_CHECK) in selected:
                    yield _primary_key_result(con, key, latest)
                if dg.AssetCheckKey(key, ROW_COUNT_CHECK) in selected:
                    yield _row_count_result(key, latest, previous)
                if dg.AssetCheckKey(key, REJECTS_CHECK) in selected:
                    yield _rejects_result(key, latest, rejected.get(key.path[-1], 0))

    return _raw_table_checks


def _last_two_materializations(
    instance: dg.DagsterInstance, key: dg.AssetKey
) -> tuple[Mapping[str, Any], Mapping[str, Any] | None]:
    """Metadata of the load just made and of the one before it (None on a first load)."""
    records = instance.fetch_materializations(key, limit=2).records
    metadata = [record.asset_materialization.metadata for record in records if record.asset_materialization]
    if not metadata:
        raise dg.Failure(f"{key.to_user_string()} has never been materialized; nothing to check")
    return metadata[0], metadata[1] if len(metadata) > 1 else None


def _primary_key_result(
    con: duckdb.DuckDBPyConnection, key: dg.AssetKey, latest: Mapping[str, Any]
) -> dg.AssetCheckResult:
    primary_key = list(latest[PRIMARY_KEY_METADATA].value)
    violations = key_violations(con, ".".join(key.path), primary_key)
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=PRIMARY_KEY_CHECK,
        passed=violations.clean,
        description=(
            f"Primary key ({', '.join(primary_key)}): "
            + (
                "unique and complete."
                if violations.clean
                else f"{violations.duplicated_keys:,} duplicated keys, {violations.rows_without_key:,} rows "
                "without a key."
            )
        ),
        metadata={
            "primary_key": dg.MetadataValue.json(primary_key),
            "duplicated_keys": dg.MetadataValue.int(violations.duplicated_keys),
            "rows_without_key": dg.MetadataValue.int(violations.rows_without_key),
        },
    )


def _row_count_result(
    key: dg.AssetKey, latest: Mapping[str, Any], previous: Mapping[str, Any] | None
) -> dg.AssetCheckResult:
    current = int(latest[ROW_COUNT_METADATA].value)
    before = int(previous[ROW_COUNT_METADATA].value) if previous and ROW_COUNT_METADATA in previous else None
    problem = row_count_problem(current, before)
    since = f" (previous load: {before:,})" if before is not None else ""
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=ROW_COUNT_CHECK,
        passed=problem is None,
        description=problem or f"{current:,} rows{since}",
        metadata={
            "row_count": dg.MetadataValue.int(current),
            "previous_row_count": dg.MetadataValue.null() if before is None else dg.MetadataValue.int(before),
        },
    )


def _rejects_result(key: dg.AssetKey, latest: Mapping[str, Any], open_count: int) -> dg.AssetCheckResult:
    rows = int(latest[ROW_COUNT_METADATA].value)
    table = ".".join(key.path)
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=REJECTS_CHECK,
        passed=open_count == 0,
        severity=dg.AssetCheckSeverity.ERROR
        if past_threshold(open_count, rows)
        else dg.AssetCheckSeverity.WARN,
        description=(
            "No rejected records."
            if open_count == 0
            else f"{open_count:,} records of {table} are rejected and unresolved ({rows:,} rows landed): "
            f"see raw_meta.rejected_records where table_name = '{key.path[-1]}' and resolved_at is null."
        ),
        metadata={"open_rejects": dg.MetadataValue.int(open_count), "row_count": dg.MetadataValue.int(rows)},
    )


@dg.definitions
def raw_table_checks() -> dg.Definitions:
    return dg.Definitions(
        asset_checks=[
            *(build_raw_table_checks(source.catalog) for source in SOURCES),
            *dg.build_column_schema_change_checks(
                assets=[key for source in SOURCES for key in raw_table_keys(source.catalog)],
                severity=dg.AssetCheckSeverity.WARN,
            ),
        ]
    )
