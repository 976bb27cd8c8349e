"""How many cores this process may use: CPU affinity and a cgroup v2 CPU quota."""

from __future__ import annotations

import os
from pathlib import Path


def usable_cores() -> int:
    """CPU affinity, capped by a cgroup v2 CPU quota (a container's limit) when there is
    one; at least 1."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, -(-int(quota) // int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cores)
