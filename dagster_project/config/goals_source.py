"""Reading ``goals.yml``: bounded in size, UTF-8, parsed once per version of the file, failures located.

Loading the Dagster definitions reads the file from several places (the goal checks, the daily
schedule, the marts' freshness policy, dbt's ``--vars``), and a run reads it again. They all come
through :func:`read_goals_yaml`, which caches the parse on the file's identity (resolved path,
modification time in nanoseconds, size): one definitions load parses the file once, and a file
edited since is read afresh.

The size limit keeps a wrong file (a generated dump, a log pointed at by mistake) from stalling
every definitions load: the shipped file is under 4 KB, and a thousand goals fit in a tenth of the
limit, whereas parsing the limit itself already takes seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from dagster_project.config.yaml_locations import (
    LocatedDocument,
    LocatedYamlError,
    format_path,
    parse_located,
)

MAX_GOALS_FILE_BYTES = 1024 * 1024
"""1 MiB: goals.yml is written by hand; a file this big is not the goals file you meant."""


@dataclass(frozen=True)
class GoalsProblem:
    """One thing wrong with the file, located."""

    line: int
    field: str
    message: str


class GoalsFileError(ValueError):
    """The goals file cannot be used; ``problems`` lists every located mistake found."""

    def __init__(self, path: Path, problems: Sequence[GoalsProblem]) -> None:
        self.path = path
        self.problems = tuple(problems)
        self.located = tuple(
            f"{path.name}:{p.line} {p.field}: {p.message}"
            if p.field
            else f"{path.name}:{p.line}: {p.message}"
            for p in self.problems
        )
        """One ``goals.yml:42 goals[3].target: ...`` line per problem: what a terminal or a check shows."""
        super().__init__(f"{path} is not valid:\n  " + "\n  ".join(self.located))


def read_goals_yaml(path: Path) -> LocatedDocument:
    """The parsed file, shared between callers: never mutate its ``data``.

    Raises ``GoalsFileError`` (line 1 for the whole file) when the file is over
    :data:`MAX_GOALS_FILE_BYTES`, not UTF-8, not YAML, or uses what goals.yml refuses (duplicate
    keys, anchors, aliases); ``OSError`` when it cannot be read.
    """
    resolved = path.resolve()
    status = resolved.stat()
    return _parse(resolved, status.st_mtime_ns, status.st_size)


def read_goals_block(path: Path, key: str) -> Any:
    """One top-level block (``organisation``, ``schedule``) as written; ``{}`` if the file or block is absent.

    A file that is not a mapping has no blocks here; :func:`dagster_project.config.goals.load_goals`
    is where that mistake is reported.
    """
    if not path.exists():
        return {}
    data = read_goals_yaml(path).data
    return (data.get(key) if isinstance(data, dict) else None) or {}


@lru_cache(maxsize=4)
def _parse(path: Path, mtime_ns: int, size: int) -> LocatedDocument:
    """Parse ``path``; ``mtime_ns`` and ``size`` are only the cache key (a new version, a new entry)."""
    with path.open("rb") as handle:
        raw = handle.read(MAX_GOALS_FILE_BYTES + 1)
    if len(raw) > MAX_GOALS_FILE_BYTES:
        message = (
            f"the file is larger than {MAX_GOALS_FILE_BYTES // 1024 // 1024} MiB ({MAX_GOALS_FILE_BYTES:,} "
            "bytes), the limit for a goals file; a hand-written goals.yml is a few KB, so check that "
            "this is the file you meant"
        )
        raise GoalsFileError(path, [GoalsProblem(1, "", message)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        message = f"not UTF-8 (byte 0x{raw[error.start]:02x}); save the file as UTF-8"
        raise GoalsFileError(path, [GoalsProblem(line, "", message)]) from None
    try:
        return parse_located(text)
    except LocatedYamlError as error:
        raise GoalsFileError(path, [GoalsProblem(error.line, format_path(error.path), str(error))]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise GoalsFileError(path, [GoalsProblem(line, "", f"YAML syntax error: {error.problem}")]) from None
