"""The raw landing assets of every registered source: one multi-asset per stream, one asset per table.

A stream is the unit of landing (its tables and cursor commit together), so it is one op; each of
its tables is its own asset so dbt sources can depend on exactly the table they read. The tables
come from each source's static catalogue (``connectors.registry.SOURCES``) because the connectors
learn their schemas from the vendor at run time and definitions must load without network; a run
fails loudly if a stream's tables stop matching its catalogue.

``defs/`` is organised by layer (streams, checks, dbt, exports, goals), never by vendor: a source
appears here only through the registry, and its assets are grouped under its name.
"""

from collections.abc import Iterator, Mapping, Sequence

import dagster as dg

from connectors.base import Stream
from connectors.catalog import CatalogStream, SourceCatalog
from connectors.registry import SOURCES
from dagster_project.loader.landing import StreamLanding, StreamTablesMismatch, land_stream
from dagster_project.loader.layers import RAW_LAYER_TAGS
from dagster_project.loader.raw_quality import PRIMARY_KEY_METADATA, Column, table_columns


def raw_table_keys(catalog: SourceCatalog) -> list[dg.AssetKey]:
    """The asset keys of a source's raw tables: ``[raw schema, table]``, as dbt sources name them."""
    return [dg.AssetKey([catalog.raw_schema, table.name]) for table in catalog.tables]


def stream_assets(catalog: SourceCatalog, resource_key: str) -> list[dg.AssetsDefinition]:
    """The landing assets of every stream of ``catalog``, reading through the ``resource_key`` resource."""
    return [_stream_asset(catalog, resource_key, declared) for declared in catalog.streams]


def _stream_asset(catalog: SourceCatalog, resource_key: str, declared: CatalogStream) -> dg.AssetsDefinition:
    vendor, schema, stream_name = catalog.source, catalog.raw_schema, declared.name
    table_names = [table.name for table in declared.tables]
    specs = [
        dg.AssetSpec(
            key=[schema, table],
            group_name=vendor,
            kinds={vendor, "duckdb"},
            tags=RAW_LAYER_TAGS,
            description=f"Raw `{schema}.{table}`, merged by key from the {vendor} `{stream_name}` stream.",
        )
        for table in table_names
    ]

    @dg.multi_asset(
        name=f"{vendor}_{stream_name}",
        specs=specs,
        required_resource_keys={"warehouse", resource_key},
    )
    def _land(context: dg.AssetExecutionContext) -> Iterator[dg.MaterializeResult]:
        stream = _find_stream(getattr(context.resources, resource_key).streams(), stream_name)
        with context.resources.warehouse.connect() as con:
            try:
                landing = land_stream(con, stream, expected_tables=table_names)
            except StreamTablesMismatch as mismatch:
                raise dg.Failure(f"{mismatch} by its assets: update the {vendor} catalogue.") from None
            columns = {table.table: table_columns(con, table.table) for table in landing.tables}
        context.log.info(_summary(landing))
        yield from _results(landing, columns)

    return _land


def _find_stream(streams: Sequence[Stream], name: str) -> Stream:
    for stream in streams:
        if stream.name == name:
            return stream
    raise dg.Failure(f"no stream named {name!r} (have: {sorted(s.name for s in streams)})")


def _results(
    landing: StreamLanding, columns: Mapping[str, Sequence[Column]]
) -> Iterator[dg.MaterializeResult]:
    """One result per table; the column schema and primary key feed the raw-table checks.

    The timings are the stream's (its tables are fetched and landed together), so every table of
    a stream carries the same ``fetch_seconds``, ``parse_seconds``, ``land_seconds`` and ``requests``.
    ``rows_rejected`` counts the table's records this landing set aside (``raw_meta.rejected_records``).
    """
    timings = landing.timings
    for table in landing.tables:
        schema, name = table.table.split(".", 1)
        yield dg.MaterializeResult(
            asset_key=dg.AssetKey([schema, name]),
            metadata={
                "dagster/column_schema": dg.TableSchema(
                    columns=[dg.TableColumn(column.name, column.type) for column in columns[table.table]]
                ),
                PRIMARY_KEY_METADATA: dg.MetadataValue.json(list(table.primary_key)),
                "dagster/row_count": dg.MetadataValue.int(table.rows_in_table),
                "rows_landed": dg.MetadataValue.int(table.rows_landed),
                "rows_received": dg.MetadataValue.int(table.rows_received),
                "rows_rejected": dg.MetadataValue.int(table.rows_rejected),
                "cursor": dg.MetadataValue.json(landing.state),
                "loaded_at": dg.MetadataValue.timestamp(landing.loaded_at),
                "fetch_seconds": dg.MetadataValue.float(round(timings.fetch_seconds, 3)),
                "parse_seconds": dg.MetadataValue.float(round(timings.parse_seconds, 3)),
                "land_seconds": dg.MetadataValue.float(round(timings.land_seconds, 3)),
                "requests": dg.MetadataValue.int(timings.requests),
            },
        )


def _summary(landing: StreamLanding) -> str:
    parts = ", ".join(
        f"{t.table}: +{t.rows_landed} ({t.rows_in_table} rows, {t.rows_rejected} rejected)"
        for t in landing.tables
    )
    resolved = f"; {landing.rejects_resolved} rejects resolved" if landing.rejects_resolved else ""
    t = landing.timings
    return (
        f"{landing.vendor}/{landing.stream} committed: {parts}{resolved}; {t.requests} requests, "
        f"fetch {t.fetch_seconds:.2f}s, parse {t.parse_seconds:.2f}s, land {t.land_seconds:.2f}s"
    )


@dg.definitions
def raw_assets() -> dg.Definitions:
    return dg.Definitions(
        assets=[asset for source in SOURCES for asset in stream_assets(source.catalog, source.resource_key)]
    )
