"""Every goal line of goals.yml, judged against the pacing marts of a built warehouse.

Shared by the Dagster goal checks and the ``status`` command, so the UI and the terminal can never
disagree: both call :func:`evaluate_goals` on the same rows.

A *goal line* is what one check watches: a team goal, or one rep of a ``per_owner`` goal (so a rep
falling behind shows up on their own line, weeks before revenue moves). Lines come from the goals
file alone, so they are known when Dagster loads definitions, before any warehouse exists: adding a
goal adds a check without a code change. While the file is invalid they come from the goals last
landed (:func:`landed_goal_lines`), so a typo never takes the goal checks away.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from dagster_project.config.goals import (
    Drift,
    GoalsFile,
    GoalsFileError,
    KnownOwners,
    Thresholds,
    check_owners,
)
from dagster_project.goals.checks import PacingRow, Verdict, decide, missing_row_verdict
from dagster_project.goals.landing import GOALS_TABLE, load_goals_file

OWNERS_TABLE = "raw_hubspot.owners"
PACING_TABLE = "marts.fct_goal_pacing_daily"
STATUS_TABLE = "marts.mart_goal_status"


@dataclass(frozen=True)
class GoalLine:
    """One checked line: a team goal or one rep of a per-owner goal, with its alarm settings."""

    check_name: str
    goal_target_id: str
    """The mart's key for the line: the goal id, plus ``|<owner key>`` for a rep."""
    goal_id: str
    goal_name: str
    owner_key: str | None
    first_day: date
    drift: Drift
    thresholds: Thresholds


def goal_lines(goals: GoalsFile) -> list[GoalLine]:
    """The lines of every goal in file order (reps in the order the file lists them)."""
    document = goals.document
    return [
        line
        for goal in document.goals
        for line in _lines_of(
            goal.id,
            goal.name or goal.id.replace("_", " ").capitalize(),
            list(goal.per_owner or ()),
            goal.period.from_,
            document.defaults.drift,
            goal.thresholds or document.defaults.thresholds,
        )
    ]


def validated_goals(goals_file: Path, con: duckdb.DuckDBPyConnection) -> GoalsFile:
    """``goals_file`` validated, its reps against the landed HubSpot owners once those have landed.

    Raises ``GoalsFileError`` (file:line field: message). Before the owners' first landing the reps
    cannot be checked, so the file is judged alone.
    """
    goals = load_goals_file(goals_file)
    owners = landed_owners(con)
    if owners is not None:
        check_owners(goals, owners)
    return goals


@dataclass(frozen=True)
class GoalsToJudge:
    """The goal lines to judge now, and the file's error when they are the last valid goals instead."""

    lines: list[GoalLine]
    file_error: GoalsFileError | None


def goals_to_judge(goals_file: Path, con: duckdb.DuckDBPyConnection) -> GoalsToJudge:
    """goals.yml's lines when it is valid, else the lines of the goals last landed, with the error."""
    try:
        return GoalsToJudge(goal_lines(validated_goals(goals_file, con)), None)
    except GoalsFileError as error:
        return GoalsToJudge(landed_goal_lines(con), error)


def landed_goal_lines(con: duckdb.DuckDBPyConnection) -> list[GoalLine]:
    """The lines of the goals last landed in ``raw_config.goals``: the last valid goals file.

    What the checks and the terminal judge while goals.yml is invalid, so one typo does not take
    every goal check away; empty when no goals were ever landed. The table holds each goal's
    resolved settings, so the lines equal those :func:`goal_lines` made from that file.
    """
    if not _has_table(con, GOALS_TABLE):
        return []
    columns = ["goal_id", "goal_name", "period_from", "map_keys(per_owner_targets) as owners"]
    columns += [f"threshold_{name}" for name in Thresholds.model_fields]
    columns += [f"drift_{name}" for name in Drift.model_fields]
    cursor = con.execute(f"select {', '.join(columns)} from {GOALS_TABLE}")
    names = [column[0] for column in cursor.description]
    lines = []
    for values in cursor.fetchall():
        record = dict(zip(names, values, strict=True))
        drift = Drift(**{name: record[f"drift_{name}"] for name in Drift.model_fields})
        thresholds = Thresholds(**{name: record[f"threshold_{name}"] for name in Thresholds.model_fields})
        owners = record["owners"] or []
        lines += _lines_of(
            record["goal_id"], record["goal_name"], owners, record["period_from"], drift, thresholds
        )
    return lines


def landed_owners(con: duckdb.DuckDBPyConnection) -> KnownOwners | None:
    """The HubSpot owners landed in ``raw_hubspot.owners``, those flagged deleted (an owner archived
    in HubSpot lands so) as ``former``, as the marts drop them; ``None`` before they ever landed."""
    if not _has_table(con, OWNERS_TABLE):
        return None
    rows = con.execute(
        f"select lower(email), cast(id as varchar), coalesce(_is_deleted, false) from {OWNERS_TABLE}"
    ).fetchall()
    current = [(email, key) for email, key, gone in rows if not gone]
    return KnownOwners(
        emails=frozenset(email for email, _ in current if email),
        ids=frozenset(key for _, key in current),
        former=frozenset(name for email, key, gone in rows if gone for name in (email, key) if name),
    )


def _has_table(con: duckdb.DuckDBPyConnection, qualified_name: str) -> bool:
    schema, name = qualified_name.split(".")
    query = "select count(*) from information_schema.tables where table_schema = ? and table_name = ?"
    return con.execute(query, [schema, name]).fetchall()[0][0] > 0


def _lines_of(
    goal_id: str,
    goal_name: str,
    owners: Sequence[str],
    first_day: date,
    drift: Drift,
    thresholds: Thresholds,
) -> list[GoalLine]:
    """One goal's lines: the team line, or one per rep."""
    slugs = _owner_slugs(owners)
    keys: Sequence[str | None] = owners or [None]
    return [
        GoalLine(
            check_name=f"goal_{goal_id}" + (f"__{slugs[owner]}" if owner else ""),
            goal_target_id=goal_id + (f"|{owner}" if owner else ""),
            goal_id=goal_id,
            goal_name=goal_name,
            owner_key=owner,
            first_day=first_day,
            drift=drift,
            thresholds=thresholds,
        )
        for owner in keys
    ]


def _owner_slugs(owners: Sequence[str]) -> dict[str, str]:
    """Check-name suffixes for a goal's reps, one per rep whatever the keys look like.

    The email's local part when that is unique among them (``alice``), else the whole key
    (``alice_example_com``); only ``[a-z0-9_]`` survives, so distinct keys can still slug alike
    (``a.b@x.com`` and ``a_b@x.com``). Those get ``__`` and a hash of the key as written
    (``a_b_x_com__b6ee04c7``): stable from one load to the next, and never equal to an unsuffixed
    slug, which cannot contain ``__``. Keys differing only in case never get here: goals.yml
    validation refuses them as one rep entered twice.
    """
    short = {owner: _slug(owner.split("@")[0]) for owner in owners}
    slugs = short if len(set(short.values())) == len(short) else {owner: _slug(owner) for owner in owners}
    shared = {slug for slug, count in Counter(slugs.values()).items() if count > 1}
    return {owner: f"{slug}__{_key_hash(owner)}" if slug in shared else slug for owner, slug in slugs.items()}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _key_hash(owner: str) -> str:
    return hashlib.sha256(owner.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class PacingSnapshot:
    """The warehouse's pacing as of its latest build: today's row per line and its period's history."""

    as_of: date | None
    today: dict[str, PacingRow]
    history: dict[str, list[PacingRow]]


def read_pacing(con: duckdb.DuckDBPyConnection) -> PacingSnapshot:
    """Today's rows (``mart_goal_status``) and the earlier rows of the same periods (the fact).

    One query; the history is bounded by the current periods, at most a year of days per line.
    """
    columns = ", ".join(f"pacing.{name}" for name in PacingRow.columns())
    cursor = con.execute(
        f"""
        select {columns}, pacing.as_of_date = today.as_of_date as is_today
        from {PACING_TABLE} as pacing
        inner join {STATUS_TABLE} as today
            on pacing.goal_target_id = today.goal_target_id
            and pacing.period_start = today.period_start
            and pacing.as_of_date <= today.as_of_date
        order by pacing.goal_target_id, pacing.as_of_date
        """
    )
    names = [column[0] for column in cursor.description]
    today: dict[str, PacingRow] = {}
    history: dict[str, list[PacingRow]] = defaultdict(list)
    for values in cursor.fetchall():
        record = dict(zip(names, values, strict=True))
        row = PacingRow.from_record(record)
        if record["is_today"]:
            today[row.goal_target_id] = row
        else:
            history[row.goal_target_id].append(row)
    as_of = con.execute(f"select max(as_of_date) from {STATUS_TABLE}").fetchall()[0][0]
    return PacingSnapshot(as_of=as_of, today=today, history=dict(history))


@dataclass(frozen=True)
class GoalOutcome:
    """One line's verdict, with the mart row it was decided on (None when the mart has none)."""

    line: GoalLine
    verdict: Verdict
    row: PacingRow | None


def evaluate_goals(lines: Sequence[GoalLine], snapshot: PacingSnapshot) -> list[GoalOutcome]:
    """The verdict of every line, in the order given."""
    outcomes = []
    for line in lines:
        row = snapshot.today.get(line.goal_target_id)
        if row is None:
            verdict = missing_row_verdict(line.goal_name, line.owner_key, line.first_day, snapshot.as_of)
        else:
            verdict = decide(row, snapshot.history.get(line.goal_target_id, ()), line.drift, line.thresholds)
        outcomes.append(GoalOutcome(line=line, verdict=verdict, row=row))
    return outcomes
