"""Resource limits of an isolated executor (``genesis.task.isolation=process``), read from ``/proc``
without cgroups or rlimits: the resident set (``/proc/<pid>/statm``) against
``genesis.task.memory.max.bytes``, and the CPU time (``/proc/<pid>/stat`` utime + stime) over a sliding
window of ``genesis.task.cpu.window.ms`` against ``genesis.task.cpu.max.percent`` (100 = one core busy for
the whole window). The worker polls every :data:`POLL_INTERVAL_S`; an executor over a limit is killed."""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, field

POLL_INTERVAL_S = 0.1
_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICKS = os.sysconf("SC_CLK_TCK")


def rss_bytes(pid: int) -> int | None:
    """The resident set size of ``pid`` (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds used by ``pid`` so far (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        # the command name (field 2) may hold spaces: the fields after it start past the last ')'
        rest = stat[stat.rindex(b")") + 2 :].split()
        return (int(rest[11]) + int(rest[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return None


@dataclass(frozen=True)
class Limits:
    """0 turns a limit off."""

    memory_max_bytes: int = 0
    cpu_max_percent: float = 0.0
    cpu_window_s: float = 10.0

    @property
    def any(self) -> bool:
        return self.memory_max_bytes > 0 or self.cpu_max_percent > 0


@dataclass
class LimitWatch:
    """Samples one process and says why it is over its limits (None while it is within them)."""

    pid: int
    limits: Limits
    _cpu: deque[tuple[float, float]] = field(default_factory=deque)

    def check(self, now: float) -> str | None:
        lim = self.limits
        if lim.memory_max_bytes > 0:
            rss = rss_bytes(self.pid)
            if rss is not None and rss > lim.memory_max_bytes:
                return (
                    f"its resident memory reached {rss} bytes, over genesis.task.memory.max.bytes="
                    f"{lim.memory_max_bytes}"
                )
        if lim.cpu_max_percent > 0:
            used = cpu_seconds(self.pid)
            if used is None:
                return None
            samples = self._cpu
            samples.append((now, used))
            while len(samples) > 1 and now - samples[1][0] >= lim.cpu_window_s:
                samples.popleft()
            t0, c0 = samples[0]
            if now - t0 >= lim.cpu_window_s:
                percent = (used - c0) / (now - t0) * 100
                if percent > lim.cpu_max_percent:
                    return (
                        f"it used {percent:.0f}% of a core over the last {now - t0:.1f} s, over "
                        f"genesis.task.cpu.max.percent={lim.cpu_max_percent:g} "
                        f"(genesis.task.cpu.window.ms={int(lim.cpu_window_s * 1000)})"
                    )
        return None
