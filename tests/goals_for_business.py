"""The shipped goals.yml fitted to another sandbox business: its per-rep goals name that business's reps.

goals.yml is written for the demo business, and reps are validated against the landed HubSpot
owners, so a run on another seed or scale with the shipped file is (rightly) rejected. Tests that run
the user's path on other businesses point ``MILEMARKER_GOALS_FILE`` at this copy instead: every goal
as shipped, each rep target moved to one of the business's current reps, in order.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from dagster_project.settings import SHIPPED_GOALS_FILE
from sandbox.simulation.business import SimulatedBusiness
from sandbox.simulation.config import SandboxConfig


def current_reps(config: SandboxConfig) -> list[dict]:
    """The business's HubSpot owners who have not left (archived owners are refused as reps)."""
    return [owner for owner in SimulatedBusiness(config).hubspot_owners() if not owner.get("archived")]


def goals_file_for(config: SandboxConfig, directory: Path) -> Path:
    """Write ``directory/goals.yml``: the shipped goals with ``config``'s business's reps."""
    reps = [owner["email"] for owner in current_reps(config)]
    document = yaml.safe_load(SHIPPED_GOALS_FILE.read_text())
    for goal in document["goals"]:
        if goal.get("per_owner"):
            goal["per_owner"] = dict(zip(reps, goal["per_owner"].values(), strict=False))
    path = directory / "goals.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path
