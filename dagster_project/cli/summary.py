"""What a finished run did, in the few lines a person wants after ``make demo``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from dagster_project.defs.dbt.assets import milemarker_dbt
from dagster_project.defs.goals.assets import GOALS_ASSET, GOALS_FILE_CHECK
from dagster_project.goals.report import render_goals_file_error


@dataclass(frozen=True)
class RawTableLine:
    step: str
    table: str
    rows_landed: int
    rows_in_table: int


def _outcome(evaluation: dg.AssetCheckEvaluation) -> str:
    return "passed" if evaluation.passed else f"failed ({evaluation.severity.value.lower()})"


@dataclass(frozen=True)
class RunSummary:
    """Counts gathered from one run's events; :meth:`render` formats them.

    dbt's own results (models, tests) are told apart from the other checks by the step that
    reported them: a failed goal check is news about the business, a failed dbt test about the data.
    """

    run_id: str
    success: bool
    seconds: float
    raw_tables: tuple[RawTableLine, ...]
    models_built: int
    dbt_tests: Counter[str]
    other_checks: Counter[str]
    failed_steps: tuple[str, ...]
    goals_file_error: tuple[str, ...] = ()
    """The located mistakes of a goals file the run rejected (the run went on with the last valid goals)."""

    @classmethod
    def from_result(
        cls, result: dg.ExecuteJobResult | dg.ExecuteInProcessResult, seconds: float
    ) -> RunSummary:
        dbt_step = milemarker_dbt.op.name
        raw_tables, models = [], 0
        for event in result.get_asset_materialization_events():
            materialization = event.step_materialization_data.materialization
            metadata = materialization.metadata
            if "rows_landed" in metadata:
                raw_tables.append(
                    RawTableLine(
                        step=event.step_key or "",
                        table=".".join(materialization.asset_key.path),
                        rows_landed=int(metadata["rows_landed"].value),
                        rows_in_table=int(metadata["dagster/row_count"].value),
                    )
                )
            elif event.step_key == dbt_step:
                models += 1
        dbt_tests: Counter[str] = Counter()
        other_checks: Counter[str] = Counter()
        goals_file_error: tuple[str, ...] = ()
        for event in result.all_events:
            if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
                evaluation = event.event_specific_data
                counter = dbt_tests if event.step_key == dbt_step else other_checks
                counter[_outcome(evaluation)] += 1
                goals_file_error = goals_file_error or _goals_file_error(evaluation)
        return cls(
            run_id=result.run_id,
            success=result.success,
            seconds=seconds,
            raw_tables=tuple(sorted(raw_tables, key=lambda line: line.table)),
            models_built=models,
            dbt_tests=dbt_tests,
            other_checks=other_checks,
            failed_steps=tuple(event.step_key or "" for event in result.get_step_failure_events()),
            goals_file_error=goals_file_error,
        )

    def rows_landed(self) -> dict[str, int]:
        return {line.table: line.rows_landed for line in self.raw_tables}

    def rows_in_tables(self) -> dict[str, int]:
        return {line.table: line.rows_in_table for line in self.raw_tables}

    def render(self, warehouse: Path, dagster_home: Path) -> str:
        status = "succeeded" if self.success else "FAILED"
        lines = [f"Milemarker run {self.run_id} {status} in {self.seconds:.1f} s", ""]
        if self.raw_tables:
            width = max(len(line.table) for line in self.raw_tables)
            lines.append(f"  {'raw table'.ljust(width)}  {'landed':>9}  {'in table':>9}  stream")
            lines += [
                f"  {line.table.ljust(width)}  {line.rows_landed:>9,}  {line.rows_in_table:>9,}  {line.step}"
                for line in self.raw_tables
            ]
            lines.append("")
        lines.append(f"  dbt: {self.models_built} models built; tests: {_counts(self.dbt_tests)}")
        if self.other_checks:
            lines.append(f"  other checks (goals, raw data): {_counts(self.other_checks)}")
        if self.failed_steps:
            lines.append(f"  failed steps: {', '.join(self.failed_steps)}")
        if self.goals_file_error:
            lines += [f"  {line}" for line in render_goals_file_error(self.goals_file_error).splitlines()]
        lines += [
            f"  warehouse:   {warehouse}",
            f"  run history: {dagster_home}  ->  `make dev`, then http://127.0.0.1:3000",
        ]
        return "\n".join(lines)


def _goals_file_error(evaluation: dg.AssetCheckEvaluation) -> tuple[str, ...]:
    """The located lines of a failed ``goals_file_valid`` check (its description), else nothing."""
    key = evaluation.asset_check_key
    if evaluation.passed or key != dg.AssetCheckKey(GOALS_ASSET, GOALS_FILE_CHECK):
        return ()
    return tuple((evaluation.description or "").splitlines())


def _counts(outcomes: Counter[str]) -> str:
    return ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or "none"
