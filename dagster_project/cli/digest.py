"""``milemarker digest``: the morning digest and the weekly pipeline report from the existing
warehouse -- previewed (written to files and printed, nothing sent) or sent now.

Nothing is landed or built: the messages are of the last run's marts. ``--preview`` works without
an alerts block; sending needs one (its channels are where the messages go). Sending from here
ignores the once-a-day memory of the daily sensor, so it can be used to try the channels.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dagster_project.alerts.secrets import known_secrets
from dagster_project.alerts.service import usable_settings
from dagster_project.alerts.settings import DigestSettings
from dagster_project.config.goals_source import GoalsFileError
from dagster_project.digest.messages import Message, send_message
from dagster_project.digest.service import digest_messages
from dagster_project.settings import data_dir, goals_file_path, warehouse_path


def default_preview_dir() -> Path:
    return data_dir() / "digest-preview"


def run_digest(*, preview: bool, weekly: bool | None, out: Path | None) -> int:
    """Preview or send; exit status 0 when done, 1 when there is nothing to report on, no channel
    to send to or a channel failed, 2 when the alerts block is invalid."""
    goals_file, warehouse = goals_file_path(), warehouse_path()
    log = logging.getLogger("milemarker.digest")
    settings = None if preview else usable_settings(goals_file, log)
    if not preview and settings is None:
        print(
            f"{goals_file} has no usable alerts block: nowhere to send (see docs/alerts.md).", file=sys.stderr
        )
        return 2 if _block_invalid(goals_file) else 1
    if not warehouse.exists():
        print(f"No warehouse at {warehouse}: run `make demo` first.", file=sys.stderr)
        return 1
    try:
        as_of, messages = digest_messages(
            warehouse, goals_file, settings.digest if settings else DigestSettings(), weekly=weekly
        )
    except (LookupError, duckdb.CatalogException) as error:
        print(f"Nothing to report on yet ({error}): run `make demo` first.", file=sys.stderr)
        return 1
    if preview:
        _write_previews(messages, out or default_preview_dir())
        return 0
    assert settings is not None
    failed = False
    now = datetime.now(UTC)
    secrets = known_secrets(settings, os.environ)
    for message in messages:
        for label, result in send_message(message, settings.channels, os.environ, secrets, now).items():
            print(f"{message.name} as of {as_of} -> {label}: {result}")
            failed = failed or not result.startswith("sent")
    return 1 if failed else 0


def _write_previews(messages: list[Message], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for message in messages:
        print(message.text())
        chart = out / f"{message.name}.png"
        if message.chart_png is not None:
            chart.write_bytes(message.chart_png)
        (out / f"{message.name}.txt").write_text(message.text(), encoding="utf-8")
        (out / f"{message.name}.html").write_text(message.html(chart.name), encoding="utf-8")
    print(f"Preview written to {out} (nothing sent): " + ", ".join(f"{m.name}.html" for m in messages))


def _block_invalid(goals_file: Path) -> bool:
    from dagster_project.alerts.settings import load_alert_settings

    try:
        load_alert_settings(goals_file)
    except (GoalsFileError, OSError):
        return True
    return False
