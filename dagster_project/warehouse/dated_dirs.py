"""Folders named after the moment they were made, of which only the newest few are kept.

The export generations and dbt's per-invocation artefact folders are both written once per run
and pile up unless pruned. Their names start with a UTC timestamp (:func:`dated_name`), so sorting
names sorts by age -- no reliance on file times, which copying or a restored backup rewrites.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path


def dated_name(moment: datetime, suffix: str) -> str:
    """``<UTC timestamp to the microsecond>-<suffix>``, e.g. ``20261123T060000123456Z-3f9a1c``."""
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%S%fZ}-{suffix}"


def prune_oldest(folders: Iterable[Path], keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest of ``folders`` (named by :func:`dated_name`); return the deleted."""
    newest_first = sorted(folders, key=lambda folder: folder.name, reverse=True)
    deleted = newest_first[keep:]
    for folder in deleted:
        shutil.rmtree(folder, ignore_errors=True)
    return deleted
