"""``docs/benchmarks.md``, generated from ``bench-results.json`` and nothing else.

A pure function of the results document, so the page can be regenerated (``python -m bench docs``)
and a test can prove the committed page matches the committed results.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bench.limits import PUBLISHED_LIMITS

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


def _ingest_rows(name: str, scale: Mapping[str, Any]) -> list[str]:
    ingest = scale["ingest"]
    rows = []
    for tool in ("ours", "dlt"):
        for phase in ("full", "daily"):
            metrics = ingest.get(tool, {}).get(phase)
            if not metrics:
                continue
            rows.append(
                f"| {name} ({scale['scale']:g}) | {tool} | {phase} | {_fig(metrics['total.records'], _int)} "
                f"| {_fig(metrics['total.seconds'])} | {_fig(metrics['total.records_per_second'], _int)} "
                f"| {_fig(metrics['hubspot.records_per_second'], _int)} "
                f"| {_fig(metrics['xero.records_per_second'], _int)} "
                f"| {_fig(metrics['total.requests'], _int)} | {_fig(metrics['peak_rss_bytes'], _mib)} |"
            )
    return rows


def _ratio_rows(name: str, scale: Mapping[str, Any]) -> list[str]:
    ingest = scale["ingest"]
    rows = []
    for tool in ("ours", "dlt"):
        if tool not in ingest:
            continue
        data = ingest[tool]
        speed = (ingest.get("ours_over_dlt_records_per_second") or {}).get("full") if tool == "ours" else None
        rows.append(
            f"| {name} | {tool} | {_fig(data['daily_over_full_seconds'], _ratio)} "
            f"| {_fig(data['full']['total.requests'], _int)} | {_fig(data['daily']['total.requests'], _int)} "
            f"| {_fig(data['full_over_daily_requests'], _ratio)} | {_fig(speed, _ratio)} |"
        )
    return rows


def _limit_rows(name: str, scale: Mapping[str, Any]) -> list[str]:
    rows = []
    for tool in ("ours", "dlt"):
        limits = scale["ingest"].get(tool, {}).get("api_limit_seconds")
        if not limits:
            continue
        for phase in ("full", "daily"):
            seconds = limits[phase]
            cells = " | ".join(f"{seconds[key]:,.0f} s" for key in PUBLISHED_LIMITS)
            rows.append(f"| {name} | {tool} | {phase} | {cells} |")
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
            f"| {name} | {phase} | {_fig(metrics['process_seconds'])} | {_fig(metrics['run_seconds'])} "
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
    lines = ["| target | measured | status |", "|---|---|---|"]

    def median(figure: Mapping[str, Any] | None) -> float | None:
        return figure["median"] if figure else None

    name, with_dlt = _largest(results, lambda s: bool(s["ingest"].get("ours_over_dlt_records_per_second")))
    speedup = median(with_dlt["ingest"]["ours_over_dlt_records_per_second"]["full"]) if with_dlt else None
    lines.append(
        f"| ingest >= 5x dlt's records/s (full load) "
        f"| {_ratio(speedup) if speedup else '-'} at {name or '-'} "
        f"| {_status(speedup, 5.0, at_least=True)} |"
    )
    rate = median(default["ingest"]["ours"]["full"]["total.records_per_second"]) if default else None
    half = MACHINE_LIMIT_RECORDS_PER_SECOND / 2
    lines.append(
        f"| ingest >= 50 % of the machine's fetch+parse+land limit (>= {half:,.0f} records/s) "
        f"| {_int(rate) if rate else '-'} records/s at default | {_status(rate, half, at_least=True)} |"
    )
    fewer = median(default["ingest"]["ours"]["full_over_daily_requests"]) if default else None
    lines.append(
        f"| daily run makes >= 20x fewer API calls than a full load (default) "
        f"| {_ratio(fewer) if fewer else '-'} | {_status(fewer, 20.0, at_least=True)} |"
    )
    e2e = default.get("e2e") if default else None
    demo = median(e2e["full"]["process_seconds"]) if e2e else None
    lines.append(
        f"| default-scale demo end to end <= 90 s "
        f"| {f'{demo:,.0f} s' if demo else '-'} (process, imports included) "
        f"| {_status(demo, 90.0, at_least=False)} |"
    )
    daily = median(e2e["daily_over_full_run_seconds"]) if e2e else None
    lines.append(
        f"| daily run <= 0.3 x the full run (default, end to end) | {_ratio(daily) if daily else '-'} "
        f"| {_status(daily, 0.3, at_least=False)} |"
    )
    large = scales.get("large")
    rss = median(large["ingest"]["ours"]["full"]["peak_rss_bytes"]) if large else None
    lines.append(
        f"| large scale peak RSS < 4 GiB (client process) | {_mib(rss) if rss else '-'} "
        f"| {_status(rss, 4 * GIB, at_least=False)} |"
    )
    return lines


def _dominates(results: Mapping[str, Any]) -> list[str]:
    lines = []
    for name, scale in results["scales"].items():
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
                phase: sum(dlt[f"{vendor}.phase.{phase}"]["median"] for vendor in ("hubspot", "xero"))
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


def render(results: Mapping[str, Any]) -> str:
    """The whole page."""
    scales = results["scales"]
    lines = [
        "# Benchmarks",
        "",
        "<!-- Generated by `python -m bench docs` from bench-results.json: edit the generator "
        "(bench/report.py), not this page. -->",
        "",
        f"Measured {results['started_at']} in {results['duration_seconds'] / 60:,.0f} min, "
        f"seed {results['settings']['seed']}, sandbox day {results['settings']['as_of']}. "
        "Every figure is the median of n runs with the minimum and maximum in brackets.",
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
        "## Ingest: sandbox -> landed raw tables, ours vs dlt",
        "",
        "The sandbox runs in its own process; requests are the sandbox's counts. *records* are API "
        "records (HubSpot objects, owners and pipelines; Xero documents), the same set for both "
        "tools; child rows and association edges are not counted. Trials alternate "
        "(ours, dlt, ours, dlt, ...); a *daily* run follows its full load after the sandbox clock "
        "moves one day. The day is an ordinary mid-month weekday: on the 1st of a quarter HubSpot "
        "recalculates every contact's score (all of them come back modified) and on the 1st of a "
        "month the repeating invoices fall due, so a daily run there measures that event, not a "
        "typical day.",
        "",
        "| scale | tool | run | records | seconds | records/s | HubSpot records/s | Xero records/s "
        "| requests | peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *(row for name, scale in scales.items() for row in _ingest_rows(name, scale)),
        "",
        "| scale | tool | daily / full time | requests, full | requests, daily | full / daily requests "
        "| ours / dlt records/s |",
        "|---|---|---|---|---|---|---|",
        *(row for name, scale in scales.items() for row in _ratio_rows(name, scale)),
        "",
        "dlt reads HubSpot whole every run (list endpoints take no modified-since filter; rest_api "
        "cannot express search's 10,000-result window restart), and Xero incrementally "
        "(its own cursor on `UpdatedDateUTC` sent as `If-Modified-Since`).",
        "",
        "## API calls under the published rate limits",
        "",
        "Least wall time the calls of one run need against the real services (calls / limit; "
        "HubSpot search calls priced at the burst budget).",
        "",
        "| scale | tool | run | " + " | ".join(label for _, label, _ in PUBLISHED_LIMITS.values()) + " |",
        "|---|---|---|" + "---|" * len(PUBLISHED_LIMITS),
        *(row for name, scale in scales.items() for row in _limit_rows(name, scale)),
        "",
        "## End to end: `materialize_all` as `make demo` runs it",
        "",
        "Embedded sandbox (as in `make demo`); *process* includes interpreter start and imports, "
        "*run* is the Dagster run alone, split by the run's event log. The daily run is the next "
        "day's run on the same warehouse.",
        "",
        "| scale | run | process s | run s | " + " | ".join(SLICE_LABELS.values()) + " | peak RSS |",
        "|---|---|---|---|" + "---|" * len(SLICE_LABELS) + "---|",
        *(row for name, scale in scales.items() for row in _e2e_rows(name, scale)),
        "",
        "| scale | daily / full run time |",
        "|---|---|",
        *(
            f"| {name} | {_fig(scale['e2e']['daily_over_full_run_seconds'], _ratio)} |"
            for name, scale in scales.items()
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
            f"- {name}: started in {scale['ingest']['sandbox']['start_seconds']:,.1f} s, peak RSS "
            f"{_mib(scale['ingest']['sandbox']['peak_rss_bytes'] or 0)} (its own process)."
            for name, scale in scales.items()
        ),
        "",
    ]
    return "\n".join(lines)
