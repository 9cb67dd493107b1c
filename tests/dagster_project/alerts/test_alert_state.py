"""The state file: created on demand, one transaction per change, bounded in size."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from dagster_project.alerts import state as state_module
from dagster_project.alerts.events import Alert, AlertKind, AlertSeverity
from dagster_project.alerts.state import FORGET_AFTER, AlertState

NOW = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)


def alert(number: int) -> Alert:
    return Alert(AlertKind.DATA_QUALITY, AlertSeverity.ERROR, f"alert {number}", "text", NOW)


def rows(path: Path, table: str) -> int:
    with sqlite3.connect(path) as con:
        return int(con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_the_file_is_created_under_dagster_home_on_first_use(tmp_path: Path) -> None:
    state = AlertState.under(tmp_path / "home")
    assert state.path == tmp_path / "home" / "alerts" / "state.sqlite"
    assert not state.path.exists()
    assert state.observe([("goal:a", "pass:on_track")], NOW) == {"goal:a": None}
    assert state.path.exists()


def test_observe_reports_only_changes_with_the_previous_state(tmp_path: Path) -> None:
    state = AlertState.under(tmp_path)
    state.observe([("a", "pass:on_track"), ("b", "fail:ERROR")], NOW)
    assert state.observe([("a", "fail:at_risk"), ("b", "fail:ERROR"), ("c", "pass")], NOW) == {
        "a": "pass:on_track",
        "c": None,
    }


def test_one_change_is_reported_to_one_of_many_concurrent_observers(tmp_path: Path) -> None:
    """Two ticks seeing the same change at once must not both alert: the transaction serialises them."""
    state = AlertState.under(tmp_path)
    state.observe([("goal:a", "pass:on_track")], NOW)
    results: list[dict[str, str | None]] = []
    start = threading.Barrier(8)

    def observe() -> None:
        start.wait()
        results.append(AlertState.under(tmp_path).observe([("goal:a", "fail:off_track")], NOW))

    threads = [threading.Thread(target=observe) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(result) for result in results) == [0] * 7 + [1]


def test_subjects_are_forgotten_after_a_while_and_bounded_in_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = AlertState.under(tmp_path)
    state.observe([("old", "pass")], NOW - FORGET_AFTER - timedelta(days=1))
    state.observe([("recent", "pass")], NOW)
    assert state.observe([("old", "pass")], NOW) == {"old": None}  # forgotten: first seen again

    monkeypatch.setattr(state_module, "MAX_SUBJECTS", 5)
    state.observe([(f"s{i}", "pass") for i in range(8)], NOW + timedelta(seconds=1))
    assert rows(state.path, "seen") == 5


def test_the_cap_is_counted_per_channel_and_day_with_one_note(tmp_path: Path) -> None:
    state = AlertState.under(tmp_path)
    day = date(2026, 11, 20)
    first = state.take("slack:X", day, 15, cap=20)
    second = state.take("slack:X", day, 10, cap=20)
    third = state.take("slack:X", day, 4, cap=20)
    assert (first.allowed, first.note_due) == (15, False)
    assert (second.allowed, second.note_due, second.suppressed_today) == (5, True, 5)
    assert (third.allowed, third.note_due, third.suppressed_today) == (0, False, 9)
    assert state.take("email:o@example.com", day, 20, cap=20).allowed == 20  # another channel
    assert state.take("slack:X", day + timedelta(days=1), 20, cap=20).allowed == 20  # the next day


def test_old_days_are_dropped(tmp_path: Path) -> None:
    state = AlertState.under(tmp_path)
    for offset in range(30):
        state.take("slack:X", date(2026, 11, 1) + timedelta(days=offset), 1, cap=20)
    assert rows(state.path, "daily") == state_module.KEEP_DAYS + 1


def test_held_alerts_wait_until_due_and_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = AlertState.under(tmp_path)
    due = NOW + timedelta(hours=8)
    assert state.hold([alert(1), alert(2)], due) == 0
    assert state.release(due - timedelta(seconds=1)) == []
    assert [held.title for held in state.release(due)] == ["alert 1", "alert 2"]
    assert state.release(due) == []  # released once

    monkeypatch.setattr(state_module, "MAX_HELD", 3)
    assert state.hold([alert(i) for i in range(5)], due) == 2
    assert rows(state.path, "held") == 3
