"""The benchmark itself: per scale, ingest (ours vs dlt, full then daily), then end to end.

Every measured run is a child process (:mod:`bench.worker`). Per scale:

1. one sandbox process serves the business; trials alternate tools (ours, dlt, ours, dlt, ...),
   each trial a full load into a fresh directory, ``/_sandbox/advance`` one day, and the daily
   (incremental) load on the same directory; requests are the server's counts;
2. the sandbox process stops, then ``materialize_all`` runs as ``make demo`` runs it, once as a
   full load and once a day later on the same warehouse (the daily run).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.limits import seconds_under_limits
from bench.machine import describe_machine
from bench.sandbox_process import REPO_ROOT, SandboxProcess, SandboxSpec
from bench.stats import Figure, figures, ratio
from bench.vendors import COMPARED_VENDORS, VENDORS

log = logging.getLogger("bench")

PHASES = ("full", "daily")
SCOPES = ("total", "compared")
"""Sums over vendors in the flat metrics: ``total.*`` every vendor the run read, ``compared.*``
the :data:`COMPARED_VENDORS`."""
COUNTS = ("seconds", "cpu_seconds", "records", "rows", "requests", "token_requests")
SCHEMA = 2
"""``bench-results.json`` layout. 2: ConnectWise measured, ``compared.*`` sums and ratios, per-scale
``measured_at`` and ``carried_from``. 1: HubSpot and Xero only (``total.*`` is what 2 calls
``compared.*``)."""


@dataclass(frozen=True)
class ScalePlan:
    """How many runs of each kind one scale gets (dlt at 1M records takes ~16 min a run)."""

    name: str
    scale: float
    ours_runs: int
    dlt_runs: int
    e2e_runs: int


PLANS: dict[str, ScalePlan] = {
    "small": ScalePlan("small", 0.2, ours_runs=3, dlt_runs=3, e2e_runs=3),
    "default": ScalePlan("default", 1.0, ours_runs=3, dlt_runs=1, e2e_runs=3),
    "large": ScalePlan("large", 10.0, ours_runs=3, dlt_runs=0, e2e_runs=0),
}
DEFAULT_SCALES = ("small", "default", "large")


@dataclass(frozen=True)
class Settings:
    plans: tuple[ScalePlan, ...]
    seed: int = 42
    as_of: date = date(2026, 6, 16)
    """A Tuesday mid-month: the daily run (to the 17th) sees a typical day's changes, not the 1st
    of a quarter, when HubSpot's score recalculation modifies every contact (about 90 % of them at
    the default scale: the daily run then re-reads nearly the whole contacts table)."""


def run_child(task: str, args: Mapping[str, Any], workdir: Path) -> tuple[dict[str, Any], float]:
    """Run ``bench.worker TASK`` on ``args``; its JSON result and the child's wall seconds."""
    args_path, out_path = workdir / f"{task}-args.json", workdir / f"{task}-out.json"
    args_path.write_text(json.dumps(args))
    out_path.unlink(missing_ok=True)
    started = time.perf_counter()
    with (workdir / f"{task}.log").open("a") as output:
        completed = subprocess.run(
            [sys.executable, "-m", "bench.worker", task, str(args_path), str(out_path)],
            cwd=REPO_ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
        )
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(
            f"bench worker {task} failed (exit {completed.returncode}); see {workdir}/{task}.log"
        )
    return json.loads(out_path.read_text()), seconds


def _in_scope(scope: str, vendor: str) -> bool:
    """Whether ``vendor``'s counts add into the ``scope`` sum (see :data:`SCOPES`)."""
    return scope == "total" or vendor in COMPARED_VENDORS


def flatten_ingest(result: Mapping[str, Any]) -> dict[str, float]:
    """One ingest run as flat metrics: ``<vendor>.<count>``, the :data:`SCOPES` sums, rates per
    vendor and scope, dlt's phases, memory."""
    flat: dict[str, float] = {}
    for vendor, counts in result["vendors"].items():
        for name in COUNTS:
            flat[f"{vendor}.{name}"] = counts[name]
            for scope in SCOPES:
                if _in_scope(scope, vendor):
                    flat[f"{scope}.{name}"] = flat.get(f"{scope}.{name}", 0) + counts[name]
        for phase, seconds in counts.get("phases", {}).items():
            flat[f"{vendor}.phase.{phase}"] = seconds
    for scope in (*result["vendors"], *SCOPES):
        seconds = flat[f"{scope}.seconds"]
        flat[f"{scope}.records_per_second"] = flat[f"{scope}.records"] / seconds if seconds else 0.0
        flat[f"{scope}.rows_per_second"] = flat[f"{scope}.rows"] / seconds if seconds else 0.0
    flat["peak_rss_bytes"] = result["peak_rss_bytes"]
    return flat


def _figures_json(samples: Sequence[Mapping[str, float]]) -> dict[str, Any]:
    return {key: figure.as_json() for key, figure in sorted(figures(samples).items())}


def _paired(
    first: Sequence[Mapping[str, float]],
    second: Sequence[Mapping[str, float]],
    value: Callable[..., float | None],
) -> dict[str, Any] | None:
    values = [v for a, b in zip(first, second, strict=False) if (v := value(a, b)) is not None]
    return Figure.of(values).as_json() if values else None


def ingest_session(plan: ScalePlan, settings: Settings, scratch: Path) -> dict[str, Any]:
    """Trials of ours and dlt, alternating, against one sandbox process at ``plan.scale``."""
    runs: dict[str, dict[str, list[dict[str, float]]]] = {
        tool: {phase: [] for phase in PHASES} for tool in ("ours", "dlt")
    }
    order = [
        tool
        for trial in range(max(plan.ours_runs, plan.dlt_runs))
        for tool, count in (("ours", plan.ours_runs), ("dlt", plan.dlt_runs))
        if trial < count
    ]
    spec = SandboxSpec(scale=plan.scale, seed=settings.seed, as_of=settings.as_of)
    with SandboxProcess(spec) as sandbox:
        for number, tool in enumerate(order):
            workdir = scratch / f"{plan.name}-{tool}-{number}"
            workdir.mkdir()
            args = {"env": sandbox.env, "workdir": str(workdir)}
            for phase in PHASES:
                if phase == "daily":
                    sandbox.control.advance(1)
                result, _ = run_child(tool, args, workdir)
                runs[tool][phase].append(flatten_ingest(result))
                log.info("%s %s %s: %.1f s", plan.name, tool, phase, runs[tool][phase][-1]["total.seconds"])
        sandbox_rss = sandbox.peak_rss_bytes()
        start_seconds = sandbox.start_seconds
    out: dict[str, Any] = {
        "sandbox": {"start_seconds": start_seconds, "peak_rss_bytes": sandbox_rss},
        "order": order,
    }
    for tool, phases in runs.items():
        if not phases["full"]:
            continue
        out[tool] = {phase: _figures_json(samples) for phase, samples in phases.items()}
        out[tool]["samples"] = phases
        out[tool].update(_daily_vs_full(phases, "total"))
        out[tool]["compared"] = _daily_vs_full(phases, "compared")
        out[tool]["api_limit_seconds"] = {
            phase: seconds_under_limits(_median_requests(samples)) for phase, samples in phases.items()
        }
    if runs["dlt"]["full"]:
        out["ours_over_dlt_records_per_second"] = {
            phase: _paired(
                runs["ours"][phase],
                runs["dlt"][phase],
                lambda o, d: ratio(o["compared.records_per_second"], d["compared.records_per_second"]),
            )
            for phase in PHASES
        }
    return out


def _daily_vs_full(phases: Mapping[str, Sequence[Mapping[str, float]]], scope: str) -> dict[str, Any]:
    """The daily run's time over its full load's, and the full load's calls over the daily run's,
    per trial, summed over ``scope``: what the incremental reading saves."""
    return {
        "daily_over_full_seconds": _paired(
            phases["daily"], phases["full"], lambda d, f: ratio(d[f"{scope}.seconds"], f[f"{scope}.seconds"])
        ),
        "full_over_daily_requests": _paired(
            phases["full"],
            phases["daily"],
            lambda f, d: ratio(f[f"{scope}.requests"], d[f"{scope}.requests"]),
        ),
    }


def _median_requests(samples: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Median calls per vendor the tool read (a vendor it never calls is left out, not priced at 0)."""
    return {
        vendor: Figure.of(s[f"{vendor}.requests"] for s in samples).median
        for vendor in VENDORS
        if f"{vendor}.requests" in samples[0]
    }


def e2e_session(plan: ScalePlan, settings: Settings, scratch: Path) -> dict[str, Any] | None:
    """``materialize_all`` full then daily, ``plan.e2e_runs`` times, each pair on a fresh warehouse."""
    if plan.e2e_runs == 0:
        return None
    runs: dict[str, list[dict[str, float]]] = {phase: [] for phase in PHASES}
    for number in range(plan.e2e_runs):
        workdir = scratch / f"{plan.name}-e2e-{number}"
        workdir.mkdir()
        for phase, day in zip(PHASES, (settings.as_of, settings.as_of + timedelta(days=1)), strict=True):
            args = {
                "workdir": str(workdir),
                "scale": plan.scale,
                "seed": settings.seed,
                "as_of": day.isoformat(),
            }
            result, process_seconds = run_child("e2e", args, workdir)
            if not result["success"]:
                raise RuntimeError(
                    f"materialize_all failed at {plan.name} ({phase}): {result['failed_steps']}"
                )
            flat = {
                "process_seconds": process_seconds,
                "run_seconds": result["run_seconds"],
                "rows_landed": result["rows_landed"],
                "peak_rss_bytes": result["run_peak_rss_bytes"],
                **{f"slice.{name}": seconds for name, seconds in result["slices"].items()},
            }
            runs[phase].append(flat)
            log.info(
                "%s e2e %s: %.1f s (process %.1f s)", plan.name, phase, flat["run_seconds"], process_seconds
            )
    return {
        **{phase: _figures_json(samples) for phase, samples in runs.items()},
        "samples": runs,
        "daily_over_full_run_seconds": _paired(
            runs["daily"], runs["full"], lambda d, f: ratio(d["run_seconds"], f["run_seconds"])
        ),
    }


def run(settings: Settings) -> dict[str, Any]:
    """Every scale of ``settings``; the whole ``bench-results.json`` document."""
    started = datetime.now(UTC)
    scales: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="milemarker-bench-") as tmp:
        scratch = Path(tmp)
        for plan in settings.plans:
            log.info("scale %s (%s): ingest", plan.name, plan.scale)
            measured_at = datetime.now(UTC).isoformat(timespec="seconds")
            ingest = ingest_session(plan, settings, scratch)
            scales[plan.name] = {"scale": plan.scale, "measured_at": measured_at, "ingest": ingest}
            log.info("scale %s (%s): end to end", plan.name, plan.scale)
            scales[plan.name]["e2e"] = e2e_session(plan, settings, scratch)
    return {
        "schema": SCHEMA,
        "started_at": started.isoformat(timespec="seconds"),
        "duration_seconds": (datetime.now(UTC) - started).total_seconds(),
        "machine": describe_machine(),
        "settings": {
            "seed": settings.seed,
            "as_of": settings.as_of.isoformat(),
            "plans": [asdict(plan) for plan in settings.plans],
        },
        "scales": scales,
    }


def plans_for(
    names: Sequence[str], *, runs: int | None, dlt_runs: int | None, e2e_runs: int | None
) -> tuple[ScalePlan, ...]:
    """The named scales' plans with any run counts the command line overrides."""
    chosen = []
    for name in names:
        plan = PLANS[name]
        overrides = {"ours_runs": runs, "dlt_runs": dlt_runs, "e2e_runs": e2e_runs}
        chosen.append(replace(plan, **{k: v for k, v in overrides.items() if v is not None}))
    return tuple(chosen)


def carry_over(document: dict[str, Any], previous: Mapping[str, Any] | None) -> dict[str, Any]:
    """``document`` with the scales of ``previous`` it did not measure, each marked ``carried_from``
    (when, on which settings and results schema it was measured): a run of some scales
    (``--scales small``) then leaves the others' figures on the page, labelled as older, instead of
    dropping them."""
    if not previous:
        return document
    scales = dict(document["scales"])
    for name, scale in previous.get("scales", {}).items():
        if name in scales:
            continue
        scales[name] = {**scale, "carried_from": scale.get("carried_from") or _origin(scale, previous)}
    return {**document, "scales": scales}


def _origin(scale: Mapping[str, Any], document: Mapping[str, Any]) -> dict[str, Any]:
    """When and how ``document`` measured ``scale``: what the page says of a carried-over scale.
    Schema 1 kept no per-scale time; its run's start stands in."""
    return {
        "measured_at": scale.get("measured_at", document["started_at"]),
        "schema": document.get("schema", 1),
        "seed": document["settings"]["seed"],
        "as_of": document["settings"]["as_of"],
    }
