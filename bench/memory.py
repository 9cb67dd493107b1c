"""Peak resident memory of this process or another one (Linux ``/proc``; ``None`` elsewhere)."""

from __future__ import annotations

import resource
import sys
from pathlib import Path


def own_peak_rss_bytes() -> int:
    """This process's peak RSS (``ru_maxrss`` is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def peak_rss_bytes(pid: int) -> int | None:
    """Another process's peak RSS (``VmHWM``), or ``None`` where ``/proc`` does not exist."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None
