"""Burrow's evaluator rules, case by case: the table of LinkedIn Burrow's
``core/internal/evaluator/caching_test.go`` (``TestCachingEvaluator_CheckRules``, cases 0 to 15, same
numbers), each rule function and the resulting partition status; then the group status."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from genesis_worker.genesis.lag.evaluator import (
    Status,
    calculate_partition_status,
    check_if_lag_not_decreasing,
    check_if_offsets_rewind,
    check_if_offsets_stalled,
    check_if_offsets_stopped,
    check_if_recent_lag_zero,
    group_status,
    is_lag_always_not_zero,
)
from genesis_worker.genesis.lag.window import Sample


class Case(NamedTuple):
    offsets: list[Sample]
    broker_offsets: list[int]
    current_lag: int
    time_now: int  # seconds (the commits' timestamps are milliseconds), as in Burrow's table
    allowed_lag: int
    lag_always_not_zero: bool
    rewind: int
    stopped: bool
    stalled: bool
    lag_not_decreasing: bool
    recent_lag_zero: bool
    status: Status


def commits(*rows: tuple[int, int | None, int]) -> list[Sample]:
    return [Sample(offset, lag, ts) for offset, lag, ts in rows]


_STEADY = commits((1000, 0, 100000), (2000, 50, 200000), (3000, 100, 300000), (4000, 150, 400000), (5000, 200, 500000))
_LAGGING = commits(
    (1000, 50, 100000), (2000, 100, 200000), (3000, 150, 300000), (4000, 200, 400000), (5000, 250, 500000)
)
_FAST = commits(
    *(
        (792748079 + i, 0, ts)
        for i, ts in enumerate(
            (
                1512224618356,
                1512224619362,
                1512224620366,
                1512224621367,
                1512224622370,
                1512224623373,
                1512224624378,
                1512224625379,
                1512224626383,
                1512224627383,
                1512224628383,
                1512224629388,
                1512224630391,
                1512224631394,
                1512224632397,
            )
        )
    )
)
_STUCK_GROWING = commits(
    *((1000, lag, ts) for lag, ts in ((100, 100000), (150, 200000), (200, 300000), (250, 400000), (300, 500000)))
)
_REWOUND = commits(
    (1000, 100, 100000), (2000, 150, 200000), (3000, 200, 300000), (2000, 1250, 400000), (4000, 300, 500000)
)

BURROW_CASES = [
    # 0: OK, the lag is zero somewhere
    Case(_STEADY, [5200], 200, 600, 0, False, -1, False, False, True, False, Status.OK),
    # 1: not stopped: the time since the last commit (400 s) equals the window's span, it is not greater
    Case(_STEADY, [5200], 200, 900, 0, False, -1, False, False, True, False, Status.OK),
    # 2: STOP: 500 s since the last commit, even though the lag was zero at the start (Burrow #290)
    Case(_STEADY, [5200], 200, 1000, 0, False, -1, True, False, True, False, Status.STOP),
    # 3: STOP when the lag is never zero as well
    Case(_LAGGING, [5250], 250, 1000, 0, True, -1, True, False, True, False, Status.STOP),
    # 4: OK for the zero lag, though stalled (same offset, lag)
    Case(
        commits(*((1000, lag, ts) for lag, ts in ((0, 100000), (50, 200000), (100, 300000), (150, 400000), (200, 500000)))),
        [1200], 200, 600, 0, False, -1, False, True, True, False, Status.OK,
    ),
    # 5: STALL: the same offset committed and the lag never zero
    Case(_STUCK_GROWING, [1300], 300, 600, 0, True, -1, False, True, True, False, Status.STALL),
    # 6: still STALL when the lag stays the same
    Case(
        commits(*((1000, 100, ts) for ts in (100000, 200000, 300000, 400000, 500000))),
        [1100], 100, 600, 0, True, -1, False, True, True, False, Status.STALL,
    ),
    # 7: OK: a rewind caught up within the window
    Case(_REWOUND, [4300], 300, 600, 0, True, 3, False, False, False, False, Status.OK),
    # 8: OK: the current lag is zero, though the timestamps say stopped
    Case(_LAGGING, [5250], 0, 1000, 0, True, -1, True, False, True, False, Status.OK),
    # 9: STOP by the timestamps: current lag, though zero in every commit, only because there is new data (#290)
    Case(_FAST, [792749024, 792749000, 792748800, 792748600, 792748500], 931, 1512224650, 0,
         False, -1, True, False, True, False, Status.STOP),
    # 10: OK: it would be STOP, but a recent log-end offset shows it was caught up (#303)
    Case(_FAST, [792748094, 792748093, 792748093, 792748093], 1, 1512224650, 0,
         False, -1, True, False, True, True, Status.OK),
    # 11: case 0 with commits whose lag is unknown: they change nothing
    Case(
        commits((1000, 0, 100000), (1500, None, 150000), (2000, 50, 200000), (2500, None, 250000), (3000, 100, 300000),
                (3500, None, 350000), (4000, 150, 400000), (4500, None, 450000), (5000, 200, 500000), (5500, None, 550000)),
        [5700], 200, 600, 0, False, -1, False, False, True, False, Status.OK,
    ),
    # 12: OK: lag and stopped, but within the allowed lag
    Case(commits((1000, 2, 100000), (2000, 1, 200000), (2000, 1, 300000)), [2001], 1, 550, 1,
         False, -1, True, False, False, False, Status.OK),
    # 13: case 5 with an allowed lag
    Case(_STUCK_GROWING, [1300], 300, 600, 99, True, -1, False, True, True, False, Status.STALL),
    # 14: case 7 with an allowed lag
    Case(_REWOUND, [4300], 300, 600, 99, True, 3, False, False, False, False, Status.OK),
    # 15: REWIND: not back to the offset before the rewind
    Case(commits((1000, 100, 100000), (2000, 150, 200000), (3000, 200, 300000), (2000, 1250, 400000), (2500, 300, 500000)),
         [4300], 300, 600, 0, True, 3, False, False, False, False, Status.REWIND),
]  # fmt: skip


@pytest.mark.parametrize("case", BURROW_CASES, ids=[f"burrow-{i}" for i in range(len(BURROW_CASES))])
def test_burrow_rules(case: Case) -> None:
    assert is_lag_always_not_zero(case.offsets, case.allowed_lag) is case.lag_always_not_zero
    assert check_if_offsets_rewind(case.offsets) == case.rewind
    assert check_if_offsets_stopped(case.offsets, case.time_now) is case.stopped
    assert check_if_offsets_stalled(case.offsets) is case.stalled
    assert check_if_lag_not_decreasing(case.offsets) is case.lag_not_decreasing
    assert check_if_recent_lag_zero(case.offsets, case.broker_offsets) is case.recent_lag_zero
    status = calculate_partition_status(
        case.offsets, case.broker_offsets, case.current_lag, case.time_now, case.allowed_lag
    )
    assert status is case.status


def test_warn_when_offsets_advance_but_lag_never_decreases() -> None:
    """Rule 5 alone (no Burrow case ends in WARN): the consumer moves, the lag grows at every commit."""
    slow = commits((1000, 100, 100000), (1100, 200, 200000), (1200, 300, 300000))
    assert calculate_partition_status(slow, [1500], 300, 300) is Status.WARN


def test_group_status_is_the_worst_partition_capped_at_err() -> None:
    """Burrow's ``evaluateConsumerStatus``: OK raised to the worst partition; STOP, STALL, REWIND count as ERR."""
    assert group_status([]) is Status.OK
    assert group_status([Status.OK, Status.WARN]) is Status.WARN
    for bad in (Status.STOP, Status.STALL, Status.REWIND, Status.ERR):
        assert group_status([Status.OK, bad, Status.WARN]) is Status.ERR
    assert [s.value for s in Status] == [0, 1, 2, 3, 4, 5, 6]  # Burrow's StatusConstant codes (Prometheus)
