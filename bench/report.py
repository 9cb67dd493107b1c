"""``docs/benchmarks.md``, generated from ``bench-results.json`` and nothing else.

A pure function of the results document, so the page can be regenerated (``python -m bench docs``)
and a test can prove the committed page matches the committed results.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bench.limits import PUBLISHED_LIMITS
from bench.vendors import COMPARED_LABEL, COMPARED_VENDORS, LABELS, VENDORS

GIB = 2**30
MIB = 2**20
MACHINE_LIMIT_RECORDS_PER_SECOND = 40_000
"""Fetch + parse + land of 100-record pages with requests, single process, on these machines
(measured at 40-57k records/s); the target is half of it."""
SLICE_LABELS = {
    "sandbox_build": "sandbox build (embedded, estimate)",
    "fetch": "fetch",
    "parse": "parse",
    "land": "land",
    "ingest_other": "ingest, not split",
    "dbt": "dbt build (models + tests)",
    "checks": "Dagster checks",
    "export": "export (Parquet)",
    "overhead": "Dagster overhead",
}
REPRODUCE = """```sh
make bench                                               # small, default and large (1M+ records, ours only)
make bench BENCH_ARGS="--scales small,default"           # skip large (about 10 minutes less)
make bench BENCH_ARGS="--runs 5 --dlt-runs 3 --e2e-runs 3"   # more runs per figure
.venv-bench/bin/python -m bench docs                     # regenerate this page from bench-results.json
```"""


def _fig(figure: Mapping[str, Any] | None, fmt: Callable[[float], str] = "{:,.1f}".format) -> str:
    """``median (min-max, n)``; a dash when the figure was not measured."""
    if not figure:
        return "-"
    if figure["runs"] == 1:
        return f"{fmt(figure['median'])} (1 run)"
    return f"{fmt(figure['median'])} ({fmt(figure['min'])}-{fmt(figure['max'])}, n={figure['runs']})"


def _int(value: float) -> str:
    return f"{value:,.0f}"


def _ratio(value: float) -> str:
    return f"{value:.2f}x"


def _mib(value: float) -> str:
    return f"{value / MIB:,.0f} MiB"


def _machine(machine: Mapping[str, Any]) -> list[str]:
    packages = ", ".join(f"{name} {version}" for name, version in machine["packages"].items() if version)
    memory = f"{machine['memory_bytes'] / GIB:.1f} GiB" if machine.get("memory_bytes") else "unknown"
    return [
        f"- {machine['cpu_count']} cores ({machine['cpu_model']}), {memory} memory, {machine['platform']}",
        f"- Python {machine['python']}; {packages}",
    ]


def _scales(results: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The measured scales, smallest first (the results file keeps them in name order)."""
    return sorted(results["scales"].items(), key=lambda item: item[1]["scale"])


def _label(name: str, scale: Mapping[str, Any]) -> str:
    """The scale's name, marked when its figures were carried over from an earlier run."""
    return f"{name} †" if scale.get("carried_from") else name


def _compared(metrics: Mapping[str, Any]) -> str:
    """The sum over the vendors dlt reads too: ``compared.*``, or ``total.*`` in results of schema 1,
    which measured those vendors alone (so its total is the same sum)."""
    return "compared" if "compared.records" in metrics else "total"


def _read_beyond_compared(data: Mapping[str, Any]) -> bool:
    """Whether the tool's runs read a vendor dlt does not (then its grand total is shown apart)."""
    return any(f"{vendor}.records" in data["full"] for vendor in VENDORS if vendor not in COMPARED_VENDORS)


def _tool_phases(scale: Mapping[str, Any]) -> list[tuple[str, str, Mapping[str, Any]]]:
    """(tool, phase, metrics) of every ingest run kind the scale measured, ours first."""
    ingest = scale["ingest"]
    return [
        (tool, phase, ingest[tool][phase])
        for tool in ("ours", "dlt")
        if tool in ingest
        for phase in ("full", "daily")
    ]


def _ingest_rows(name: str, scale: Mapping[str, Any]) -> list[str]:
    rows = []
    for tool, phase, metrics in _tool_phases(scale):
        scope = _compared(metrics)
        rows.append(
            f"| {_label(name, scale)} ({scale['scale']:g}) | {tool} | {phase} "
            f"| {_fig(metrics[f'{scope}.records'], _int)} | {_fig(metrics[f'{scope}.seconds'])} "
            f"| {_fig(metrics[f'{scope}.records_per_second'], _int)} "
            + "".join(
                f"| {_fig(metrics[f'{vendor}.records_per_second'], _int)} " for vendor in COMPARED_VENDORS
            )
            + f"| {_fig(metrics[f'{scope}.requests'], _int)} | {_fig(metrics['peak_rss_bytes'], _mib)} |"
        )
    return rows


def _vendor_cells(metrics: Mapping[str, Any], scope: str) -> str:
    """records, rows, seconds, records/s and requests of one vendor (or a sum) in one run kind."""
    return (
        f"| {_fig(metrics[f'{scope}.records'], _int)} | {_fig(metrics[f'{scope}.rows'], _int)} "
        f"| {_fig(metrics[f'{scope}.seconds'])} | {_fig(metrics[f'{scope}.records_per_second'], _int)} "
        f"| {_fig(metrics[f'{scope}.requests'], _int)} |"
    )


def _vendor_rows(name: str, scale: Mapping[str, Any]) -> list[str]:
    """Each vendor a tool read, and ours' grand total where it read more than dlt."""
    rows = []
    for tool, phase, metrics in _tool_phases(scale):
        scopes = [(LABELS[vendor], vendor) for vendor in VENDORS if f"{vendor}.records" in metrics]
        if tool == "ours" and _read_beyond_compared(scale["ingest"][tool]):
            scopes.append(("all vendors", "total"))
        rows.extend(
            f"| {_label(name, scale)} | {tool} | {phase} | {label} {_vendor_cells(metrics, scope)}"
            for label, scope in scopes
        )
    return rows


def _ratio_row(prefix: str, data: Mapping[str, Any], scope: str, speedup: Mapping[str, Any] | None) -> str:
    """Daily vs full (time and calls) of one tool summed over ``scope``, after ``prefix``'s cells."""
    ratios = data["compared"] if scope == "compared" else data
    return (
        f"{prefix} | {_fig(ratios['daily_over_full_seconds'], _ratio)} "
        f"| {_fig(data['full'][f'{scope}.requests'], _int)} "
        f"| {_fig(data['daily'][f'{scope}.requests'], _int)} "
        f"| {_fig(ratios['full_over_daily_requests'], _ratio)} | {_fig(speedup, _ratio)} |"
    )


def _ratio_rows(name: str, scale: Mapping[str, Any]) -> list[str]:
    """Per tool, a row over the vendors both tools read (with ours' speed-up over dlt: the same
    vendors on both sides), then ours' grand total where it read more."""
    ingest = scale["ingest"]
    speedup = (ingest.get("ours_over_dlt_records_per_second") or {}).get("full")
    rows = []
    for tool in ("ours", "dlt"):
        if tool not in ingest:
            continue
        data, prefix = ingest[tool], f"| {_label(name, scale)} | {tool}"
        compared = _compared(data["full"])
        rows.append(
            _ratio_row(f"{prefix} | {COMPARED_LABEL}", data, compared, speedup if tool == "ours" else None)
        )
        if _read_beyond_compared(data):
            rows.append(_ratio_row(f"{prefix} | all vendors", data, "total", None))
    return rows


def _limit_rows(name: str, scale: Mapping[str, Any]) -> list[str]:
    """Seconds under each limit; a dash where the tool did not call that vendor (or the run
    predates the vendor)."""
    rows = []
    for tool in ("ours", "dlt"):
        limits = scale["ingest"].get(tool, {}).get("api_limit_seconds")
        if not limits:
            continue
        for phase in ("full", "daily"):
            seconds = limits[phase]
            cells = " | ".join(
                f"{seconds[key]:,.0f} s" if key in seconds else "-" for key in PUBLISHED_LIMITS
            )
            rows.append(f"| {_label(name, scale)} | {tool} | {phase} | {cells} |")
    return rows


def _e2e_rows(name: str, scale: Mapping[str, Any]) -> list[str]:
    e2e = scale.get("e2e")
    if not e2e:
        return []
    rows = []
    for phase in ("full", "daily"):
        metrics = e2e[phase]
        slices = " | ".join(_fig(metrics.get(f"slice.{key}")) for key in SLICE_LABELS)
        rows.append(
            f"| {_label(name, scale)} | {phase} | {_fig(metrics['process_seconds'])} "
            f"| {_fig(metrics['run_seconds'])} "
            f"| {slices} | {_fig(metrics['peak_rss_bytes'], _mib)} |"
        )
    return rows


def _largest(results: Mapping[str, Any], predicate: Callable[[Mapping[str, Any]], bool]) -> tuple[str, Any]:
    """The largest measured scale satisfying ``predicate`` (``("", None)`` when none does)."""
    found = [(name, data) for name, data in results["scales"].items() if predicate(data)]
    return max(found, key=lambda item: item[1]["scale"]) if found else ("", None)


def _status(value: float | None, target: float, *, at_least: bool) -> str:
    if value is None:
        return "not measured"
    met = value >= target if at_least else value <= target
    return "**met**" if met else "**not met**"


def _targets(results: Mapping[str, Any]) -> list[str]:
    scales = results["scales"]
    default = scales.get("default")
    at_default = _label("default", default) if default else "default"
    lines = ["| target | measured | status |", "|---|---|---|"]

    def median(figure: Mapping[str, Any] | None) -> float | None:
        return figure["median"] if figure else None

    name, with_dlt = _largest(results, lambda s: bool(s["ingest"].get("ours_over_dlt_records_per_second")))
    speedup = median(with_dlt["ingest"]["ours_over_dlt_records_per_second"]["full"]) if with_dlt else None
    lines.append(
        f"| ingest >= 5x dlt's records/s (full load) "
        f"| {_ratio(speedup) if speedup else '-'} at {_label(name, with_dlt) if with_dlt else '-'} "
        f"| {_status(speedup, 5.0, at_least=True)} |"
    )
    rate = median(default["ingest"]["ours"]["full"]["total.records_per_second"]) if default else None
    half = MACHINE_LIMIT_RECORDS_PER_SECOND / 2
    lines.append(
        f"| ingest >= 50 % of the machine's fetch+parse+land limit (>= {half:,.0f} records/s) "
        f"| {_int(rate) if rate else '-'} records/s at {at_default} | {_status(rate, half, at_least=True)} |"
    )
    fewer = median(default["ingest"]["ours"]["full_over_daily_requests"]) if default else None
    lines.append(
        f"| daily run makes >= 20x fewer API calls than a full load (default) "
        f"| {_ratio(fewer) if fewer else '-'} at {at_default} | {_status(fewer, 20.0, at_least=True)} |"
    )
    e2e = default.get("e2e") if default else None
    demo = median(e2e["full"]["process_seconds"]) if e2e else None
    lines.append(
        f"| default-scale demo end to end <= 90 s "
        f"| {f'{demo:,.0f} s' if demo else '-'} at {at_default} (process, imports included) "
        f"| {_status(demo, 90.0, at_least=False)} |"
    )
    daily = median(e2e["daily_over_full_run_seconds"]) if e2e else None
    lines.append(
        f"| daily run <= 0.3 x the full run (default, end to end) "
        f"| {_ratio(daily) if daily else '-'} at {at_default} "
        f"| {_status(daily, 0.3, at_least=False)} |"
    )
    large = scales.get("large")
    rss = median(large["ingest"]["ours"]["full"]["peak_rss_bytes"]) if large else None
    lines.append(
        f"| large scale peak RSS < 4 GiB (client process) "
        f"| {_mib(rss) if rss else '-'} at {_label('large', large) if large else 'large'} "
        f"| {_status(rss, 4 * GIB, at_least=False)} |"
    )
    return lines


def _dominates(results: Mapping[str, Any]) -> list[str]:
    lines = []
    for scale_name, scale in _scales(results):
        name = _label(scale_name, scale)
        e2e = scale.get("e2e")
        if e2e:
            slices = {key: e2e["full"][f"slice.{key}"]["median"] for key in SLICE_LABELS}
            total = sum(slices.values()) or 1.0
            top = sorted(slices.items(), key=lambda item: -item[1])[:3]
            parts = ", ".join(f"{SLICE_LABELS[key]} {seconds / total:.0%}" for key, seconds in top)
            lines.append(f"- {name}, end to end (full run): {parts}.")
        dlt = scale["ingest"].get("dlt", {}).get("full")
        if dlt:
            phases = {
                phase: sum(dlt[f"{vendor}.phase.{phase}"]["median"] for vendor in COMPARED_VENDORS)
                for phase in ("extract", "normalize", "load")
            }
            total = sum(phases.values()) or 1.0
            parts = ", ".join(f"{phase} {seconds / total:.0%}" for phase, seconds in phases.items())
            lines.append(f"- {name}, dlt full load: {parts}.")
        ours = scale["ingest"]["ours"]["full"]
        cpu, wall = ours["total.cpu_seconds"]["median"], ours["total.seconds"]["median"]
        lines.append(
            f"- {name}, our ingest: the client used {cpu / wall:.0%} of the wall time on its own CPU; "
            "the rest is waiting on the sandbox (another process, pure Python)."
        )
    return lines


def _carried(results: Mapping[str, Any]) -> list[str]:
    """Which scales were not measured by this run but kept from an earlier one, and what that
    earlier run covered (results of schema 1 predate ConnectWise: HubSpot and Xero only)."""
    lines = []
    for name, scale in _scales(results):
        origin = scale.get("carried_from")
        if not origin:
            continue
        vendors = (
            "HubSpot and Xero only, before ConnectWise was added" if origin["schema"] < 2 else "every vendor"
        )
        lines.append(
            f"- † {name}: carried over from the run of {origin['measured_at']} (seed {origin['seed']}, "
            f"sandbox day {origin['as_of']}; {vendors}); this run did not measure it."
        )
    return ["", *lines] if lines else []


def _ingest_section(results: Mapping[str, Any]) -> list[str]:
    """Ours vs dlt over the same vendors, then every vendor apart, then daily vs full."""
    scales = _scales(results)
    compared_rates = " | ".join(f"{LABELS[vendor]} records/s" for vendor in COMPARED_VENDORS)
    return [
        "## Ingest: sandbox -> landed raw tables, ours vs dlt",
        "",
        "The sandbox runs in its own process; requests are the sandbox's counts. *records* are API "
        "records (HubSpot objects, owners and pipelines; Xero documents; ConnectWise time entries, "
        "tickets, projects, agreements and their additions, companies, members and the type lists); "
        "child rows, HubSpot's association edges and ConnectWise's daily id listing of recent time "
        "entries (how deletions are found) are counted in *rows*, not in records. Trials alternate "
        "(ours, dlt, ours, dlt, ...); a *daily* run follows its full load after the sandbox clock "
        "moves one day (and the sandbox has rebuilt what it serves). The day is an ordinary "
        "mid-month weekday: on the 1st of a quarter HubSpot recalculates every contact's score (all "
        "of them come back modified) and on the 1st of a month the repeating invoices fall due, so "
        "a daily run there measures that event, not a typical day.",
        "",
        f"dlt reads {COMPARED_LABEL} only, so this table and every ours / dlt ratio sum those two "
        "vendors for both tools (ours' ConnectWise figures are in the next table; its grand total "
        "is never set against dlt's). Peak RSS is the whole client process (ours lands ConnectWise "
        "in it too).",
        "",
        f"| scale | tool | run | records | seconds | records/s | {compared_rates} | requests | peak RSS |",
        "|---|---|---|---|---|---|" + "---|" * len(COMPARED_VENDORS) + "---|---|",
        *(row for name, scale in scales for row in _ingest_rows(name, scale)),
        "",
        "Per vendor: every vendor each tool read (ours also ConnectWise PSA), and ours' total over "
        "all of them.",
        "",
        "| scale | tool | run | vendor | records | rows | seconds | records/s | requests |",
        "|---|---|---|---|---|---|---|---|---|",
        *(row for name, scale in scales for row in _vendor_rows(name, scale)),
        "",
        "| scale | tool | vendors | daily / full time | requests, full | requests, daily "
        "| full / daily requests | ours / dlt records/s |",
        "|---|---|---|---|---|---|---|---|",
        *(row for name, scale in scales for row in _ratio_rows(name, scale)),
        "",
        "dlt reads HubSpot whole every run (list endpoints take no modified-since filter; rest_api "
        "cannot express search's 10,000-result window restart), and Xero incrementally "
        "(its own cursor on `UpdatedDateUTC` sent as `If-Modified-Since`).",
    ]


def render(results: Mapping[str, Any]) -> str:
    """The whole page."""
    scales = _scales(results)
    lines = [
        "# Benchmarks",
        "",
        "<!-- Generated by `python -m bench docs` from bench-results.json: edit the generator "
        "(bench/report.py), not this page. -->",
        "",
        f"Measured {results['started_at']} in {results['duration_seconds'] / 60:,.0f} min, "
        f"seed {results['settings']['seed']}, sandbox day {results['settings']['as_of']}. "
        "Every figure is the median of n runs with the minimum and maximum in brackets.",
        *_carried(results),
        "",
        *_machine(results["machine"]),
        "",
        "## Targets (issue 7)",
        "",
        *_targets(results),
        "",
        "## How to reproduce",
        "",
        REPRODUCE,
        "",
        *_ingest_section(results),
        "",
        "## API calls under the published rate limits",
        "",
        "Least wall time the calls of one run need against the real services (calls / limit; "
        "HubSpot search calls priced at the burst budget). ConnectWise publishes no fixed quota: "
        "60 requests a minute is a figure from third-party write-ups, used here as a conservative "
        "assumption. A dash: the tool does not read that vendor, or the run predates it.",
        "",
        "| scale | tool | run | " + " | ".join(label for _, label, _ in PUBLISHED_LIMITS.values()) + " |",
        "|---|---|---|" + "---|" * len(PUBLISHED_LIMITS),
        *(row for name, scale in scales for row in _limit_rows(name, scale)),
        "",
        "## End to end: `materialize_all` as `make demo` runs it",
        "",
        "Embedded sandbox (as in `make demo`); *process* includes interpreter start and imports, "
        "*run* is the Dagster run alone, split by the run's event log. The daily run is the next "
        "day's run on the same warehouse.",
        "",
        "| scale | run | process s | run s | " + " | ".join(SLICE_LABELS.values()) + " | peak RSS |",
        "|---|---|---|---|" + "---|" * len(SLICE_LABELS) + "---|",
        *(row for name, scale in scales for row in _e2e_rows(name, scale)),
        "",
        "| scale | daily / full run time |",
        "|---|---|",
        *(
            f"| {_label(name, scale)} | {_fig(scale['e2e']['daily_over_full_run_seconds'], _ratio)} |"
            for name, scale in scales
            if scale.get("e2e")
        ),
        "",
        "## What dominates",
        "",
        *_dominates(results),
        "",
        "## Sandbox",
        "",
        *(
            f"- {_label(name, scale)}: started in {scale['ingest']['sandbox']['start_seconds']:,.1f} s, "
            f"peak RSS {_mib(scale['ingest']['sandbox']['peak_rss_bytes'] or 0)} (its own process)."
            for name, scale in scales
        ),
        "",
    ]
    return "\n".join(lines)
