"""The persistent Dagster instance (``DAGSTER_HOME``) that ``make demo`` and ``make dev`` share.

A demo run recorded in a throwaway instance could not be inspected afterwards; recording it in
``.dagster/`` means ``make dev`` opens the UI on exactly that run history.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from dagster_project.lib.settings import REPO_ROOT

INSTANCE_CONFIG = Path(__file__).resolve().parents[1] / "dagster.yaml"


def ensure_dagster_home() -> Path:
    """Point ``DAGSTER_HOME`` at ``.dagster/`` unless the caller chose one, with our instance config.

    A home the user chose is theirs: it is created if needed but its ``dagster.yaml`` is only
    written when absent. Our own ``.dagster/`` always gets the current config.
    """
    chosen = os.environ.get("DAGSTER_HOME")
    home = Path(chosen).expanduser().resolve() if chosen else REPO_ROOT / ".dagster"
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not chosen or not config.exists():
        shutil.copyfile(INSTANCE_CONFIG, config)
    os.environ["DAGSTER_HOME"] = str(home)
    return home
