"""Burrow's consumer lag evaluation rules, ported from LinkedIn Burrow's caching evaluator
(``core/internal/evaluator/caching.go``, rules 1 to 5 and ``checkIfRecentLagZero``), kept one function per
rule with Burrow's names in Python spelling so the two can be read side by side.

A partition's window holds its last commits, oldest first, each an (offset, lag, timestamp in ms) sample
(:class:`~genesis_worker.genesis.lag.window.Sample`); ``broker_offsets`` are the partition's last log-end
offsets. :func:`calculate_partition_status` gives OK, WARN, STOP, STALL or REWIND; :func:`group_status`
folds the partitions into the group's (pipeline's) OK, WARN or ERR as Burrow does.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from typing import Protocol


class Status(enum.IntEnum):
    """Burrow's ``StatusConstant`` values, in its order (the Prometheus ``genesis_lag_*status`` codes)."""

    NOTFOUND = 0
    OK = 1
    WARN = 2
    ERR = 3
    STOP = 4
    STALL = 5
    REWIND = 6


class Commit(Protocol):
    @property
    def offset(self) -> int: ...

    @property
    def lag(self) -> int | None: ...

    @property
    def timestamp(self) -> int: ...


def calculate_partition_status(
    offsets: Sequence[Commit], broker_offsets: Sequence[int], current_lag: int, time_now_s: int, allowed_lag: int = 0
) -> Status:
    """Burrow's ``calculatePartitionStatus``: ``offsets`` is the window (not empty), ``time_now_s`` the
    evaluation time in seconds (Burrow compares it, times 1000, with the commits' millisecond timestamps)."""
    if current_lag > allowed_lag:
        # stopped first: a problem even if the lag was zero somewhere in an old commit history, unless the
        # recent log-end offsets show the consumer was caught up lately
        if check_if_offsets_stopped(offsets, time_now_s) and not check_if_recent_lag_zero(offsets, broker_offsets):
            return Status.STOP
        # a rewind counts only until the consumer is back where it was before it
        rewind_index = check_if_offsets_rewind(offsets)
        if rewind_index > 0 and not check_if_rewind_recovered(offsets, rewind_index):
            return Status.REWIND
        if is_lag_always_not_zero(offsets, allowed_lag):
            if check_if_offsets_stalled(offsets):
                return Status.STALL
            if check_if_lag_not_decreasing(offsets):
                return Status.WARN
    return Status.OK


def is_lag_always_not_zero(offsets: Sequence[Commit], allowed_lag: int = 0) -> bool:
    """Rule 1: if the lag is ever (within the allowed lag of) zero in the window, the window is OK."""
    return all(o.lag is None or o.lag > allowed_lag for o in offsets)


def check_if_offsets_rewind(offsets: Sequence[Commit]) -> int:
    """Rule 2: the index of the first commit below the one before it, -1 if none."""
    for i in range(1, len(offsets)):
        if offsets[i].offset < offsets[i - 1].offset:
            return i
    return -1


def check_if_rewind_recovered(offsets: Sequence[Commit], reset_index: int) -> bool:
    """Rule 2, part 2: the consumer came back to the offset it had before the rewind."""
    previous = offsets[reset_index - 1].offset
    return any(o.offset >= previous for o in offsets[reset_index:])


def check_if_offsets_stopped(offsets: Sequence[Commit], time_now_s: int) -> bool:
    """Rule 3: the time since the last commit exceeds the time the window spans: the consumer stopped."""
    first, last = offsets[0].timestamp, offsets[-1].timestamp
    return time_now_s * 1000 - last > last - first


def check_if_offsets_stalled(offsets: Sequence[Commit]) -> bool:
    """Rule 4: every commit in the window has the same offset (there is lag: rule 1 said so)."""
    return all(offsets[i].offset == offsets[i - 1].offset for i in range(1, len(offsets)))


def check_if_lag_not_decreasing(offsets: Sequence[Commit]) -> bool:
    """Rule 5: the offsets advance but the lag never decreases from one commit to the next (a slow consumer)."""
    last_lag: int | None = None
    for o in offsets:
        if o.lag is not None:
            if last_lag is not None and o.lag < last_lag:
                return False
            last_lag = o.lag
    return True


def check_if_recent_lag_zero(offsets: Sequence[Commit], broker_offsets: Sequence[int]) -> bool:
    """One of the recent log-end offsets is at or below the last commit: the consumer was caught up lately."""
    last = offsets[-1].offset
    return any(b <= last for b in broker_offsets)


def group_status(partitions: Iterable[Status]) -> Status:
    """Burrow's group status: OK, raised to the worst partition's, anything worse than ERR counted as ERR."""
    status = Status.OK
    for p in partitions:
        if p > status:
            status = min(p, Status.ERR)
    return status
