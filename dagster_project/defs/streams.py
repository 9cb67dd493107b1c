"""One multi-asset per connector stream, with one asset per raw table the stream writes.

A stream is the unit of landing (its tables and cursor commit together), so it is one op; each of
its tables is its own asset so dbt sources can depend on exactly the table they read. The table
names are declared per vendor (``crm/assets.py``, ``accounting/assets.py``) because the connectors
learn their schemas from the vendor at run time and definitions must load without network; a run
fails loudly if a stream's tables stop matching the declaration.
"""

from collections.abc import Iterator, Mapping, Sequence

import dagster as dg

from connectors.base import Stream
from dagster_project.lib.landing import StreamLanding, land_stream, raw_schema
from dagster_project.lib.raw_quality import PRIMARY_KEY_METADATA, Column, table_columns

StreamCatalog = Mapping[str, Sequence[str]]
"""Stream name -> the raw tables it writes."""


def stream_assets(vendor: str, resource_key: str, catalog: StreamCatalog) -> list[dg.AssetsDefinition]:
    """The landing assets of every stream of a vendor, reading through the ``resource_key`` resource."""
    return [_stream_asset(vendor, resource_key, name, tables) for name, tables in catalog.items()]


def _stream_asset(
    vendor: str, resource_key: str, stream_name: str, table_names: Sequence[str]
) -> dg.AssetsDefinition:
    schema = raw_schema(vendor)
    specs = [
        dg.AssetSpec(
            key=[schema, table],
            group_name=vendor,
            kinds={vendor, "duckdb"},
            description=f"Raw `{schema}.{table}`, merged by key from the {vendor} `{stream_name}` stream.",
        )
        for table in table_names
    ]

    @dg.multi_asset(
        name=f"{vendor}_{stream_name}",
        specs=specs,
        pool="duckdb",
        required_resource_keys={"warehouse", resource_key},
    )
    def _land(context: dg.AssetExecutionContext) -> Iterator[dg.MaterializeResult]:
        stream = _find_stream(getattr(context.resources, resource_key).streams(), stream_name)
        declared = set(table_names)
        primary_keys = {spec.name: spec.primary_key for spec in stream.tables()}
        actual = set(primary_keys)
        if actual != declared:
            raise dg.Failure(
                f"{vendor} stream {stream_name!r} writes {sorted(actual)}, but its assets declare "
                f"{sorted(declared)}: update the stream catalog."
            )
        with context.resources.warehouse.connect() as con:
            landing = land_stream(con, stream)
            columns = {table.table: table_columns(con, table.table) for table in landing.tables}
        context.log.info(_summary(landing))
        yield from _results(landing, columns, primary_keys)

    return _land


def _find_stream(streams: Sequence[Stream], name: str) -> Stream:
    for stream in streams:
        if stream.name == name:
            return stream
    raise dg.Failure(f"no stream named {name!r} (have: {sorted(s.name for s in streams)})")


def _results(
    landing: StreamLanding, columns: Mapping[str, Sequence[Column]], primary_keys: Mapping[str, Sequence[str]]
) -> Iterator[dg.MaterializeResult]:
    """One result per table; the column schema and primary key feed the raw-table checks."""
    for table in landing.tables:
        schema, name = table.table.split(".", 1)
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey([schema, name]),
            metadata={
                "dagster/column_schema": dg.TableSchema(
                    columns=[dg.TableColumn(column.name, column.type) for column in columns[table.table]]
                ),
                PRIMARY_KEY_METADATA: dg.MetadataValue.json(list(primary_keys[name])),
                "dagster/row_count": dg.MetadataValue.int(table.rows_in_table),
                "rows_landed": dg.MetadataValue.int(table.rows_landed),
                "rows_received": dg.MetadataValue.int(table.rows_received),
                "cursor": dg.MetadataValue.json(landing.state),
                "loaded_at": dg.MetadataValue.timestamp(landing.loaded_at),
            },
        )


def _summary(landing: StreamLanding) -> str:
    parts = ", ".join(f"{t.table}: +{t.rows_landed} ({t.rows_in_table} rows)" for t in landing.tables)
    return f"{landing.vendor}/{landing.stream} committed: {parts}"
