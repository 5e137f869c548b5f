"""The windows the evaluator reads, filled from sampled offsets: what a sample counts as a commit, when a
partition is judged, and the per-pipeline state (status, total lag, rates, the REST shapes, the series)."""

from __future__ import annotations

from typing import Any

from genesis_worker.genesis.cluster_view import local_task_figures
from genesis_worker.genesis.lag.evaluator import Status
from genesis_worker.genesis.lag.monitor import LagMonitor
from genesis_worker.genesis.lag.sampler import GroupOffsets
from genesis_worker.genesis.lag.state import Point, Series, SinkLag, SourceLag
from genesis_worker.genesis.lag.window import PartitionWindow
from genesis_worker.metrics.registry import WorkerMetrics
from genesis_worker.metrics.task_metrics import TaskMetrics

T0 = 1_700_000_000_000
STEP = 1000


def sampled(window: PartitionWindow, rows: list[tuple[int, int, bool]]) -> int:
    """Feed (committed, end offset, owned) samples one STEP apart; the time of the last."""
    now = T0
    for i, (committed, end, owned) in enumerate(rows):
        now = T0 + i * STEP
        window.observe(committed, end, owned, now)
    return now


def test_a_live_consumer_committing_the_same_offset_with_lag_is_stall() -> None:
    w = PartitionWindow(4)
    now = sampled(w, [(100, 150, True), (100, 160, True), (100, 170, True)])
    assert [c.offset for c in w.commits] == [100, 100, 100]
    assert [c.lag for c in w.commits] == [50, 60, 70]
    assert w.current_lag == 70
    assert w.status(now, min_samples=2) is Status.STALL
    assert w.status(now, min_samples=4) is Status.OK  # not judged before minimum-complete of the window


def test_a_partition_nobody_owns_gets_no_commits_and_turns_stop() -> None:
    w = PartitionWindow(4)
    now = sampled(w, [(100, 150, False), (100, 160, False), (100, 170, False)])
    assert len(w.commits) == 1 and len(w.broker_offsets) == 3
    assert w.status(now, min_samples=2) is Status.STOP


def test_a_stopped_consumer_caught_up_is_ok() -> None:
    w = PartitionWindow(4)
    now = sampled(w, [(100, 100, False), (100, 100, False), (100, 100, False)])
    assert w.current_lag == 0
    assert w.status(now, min_samples=2) is Status.OK


def test_a_moved_offset_is_a_commit_even_without_an_owner_and_a_rewind_shows() -> None:
    """An offsets alter (or reset to earlier) while the sink is stopped: REWIND until it is back."""
    w = PartitionWindow(5)
    now = sampled(w, [(500, 600, True), (550, 600, True), (200, 600, False)])
    assert [c.offset for c in w.commits] == [500, 550, 200]
    assert w.status(now, min_samples=1) is Status.REWIND
    w.observe(560, 600, True, now + STEP)
    assert w.status(now + STEP, min_samples=1) is not Status.REWIND


def test_a_busy_consumer_that_commits_progress_is_ok_and_a_slow_one_warns() -> None:
    busy = PartitionWindow(6)
    now = sampled(busy, [(100, 180, True), (100, 200, True), (190, 260, True), (190, 280, True), (270, 330, True)])
    assert busy.status(now, min_samples=3) is Status.OK
    slow = PartitionWindow(6)
    now = sampled(slow, [(100, 150, True), (110, 200, True), (120, 250, True), (130, 300, True)])
    assert slow.status(now, min_samples=3) is Status.WARN


def test_the_window_keeps_the_last_size_samples() -> None:
    w = PartitionWindow(3)
    sampled(w, [(i, i + 10, True) for i in range(10)])
    assert [c.offset for c in w.commits] == [7, 8, 9]
    assert list(w.broker_offsets) == [17, 18, 19]


def test_sink_state_status_rate_and_json() -> None:
    sink = SinkLag("connect-s", window_size=4, min_samples=2)
    assert sink.status is Status.NOTFOUND
    owned = frozenset({("t", 0), ("t", 1)})
    assert sink.observe(GroupOffsets({("t", 0): 10, ("t", 1): 20}, owned), {("t", 0): 10, ("t", 1): 50}, T0) is None
    rate = sink.observe(GroupOffsets({("t", 0): 30, ("t", 1): 20}, owned), {("t", 0): 30, ("t", 1): 60}, T0 + 2000)
    assert rate == 10.0  # 20 records committed in 2 s
    assert sink.statuses == {("t", 0): Status.OK, ("t", 1): Status.STALL}
    assert sink.status is Status.ERR  # STALL counts as ERR for the group
    assert sink.total_lag == 40
    answer = sink.to_json("s")
    assert {k: answer[k] for k in ("connector", "type", "group", "status", "total_lag", "evaluated_at")} == {
        "connector": "s",
        "type": "sink",
        "group": "connect-s",
        "status": "ERR",
        "total_lag": 40,
        "evaluated_at": T0 + 2000,
    }
    assert answer["partitions"][1] == {
        "topic": "t",
        "partition": 1,
        "status": "STALL",
        "current_lag": 40,
        "committed_offset": 20,
        "end_offset": 60,
        "start": {"offset": 20, "lag": 30, "timestamp": T0},
        "end": {"offset": 20, "lag": 40, "timestamp": T0 + 2000},
    }
    sink.observe(GroupOffsets({}, frozenset()), {}, T0 + 4000)  # offsets reset: the group has none
    assert sink.status is Status.NOTFOUND and sink.to_json("s")["partitions"] == []


def test_source_state_from_its_tasks_figures() -> None:
    source = SourceLag()
    task = TaskMetrics("src", 0, "source", records_written=100, last_commit_ms=T0 - 500, active_reader=lambda: 7)
    metrics = WorkerMetrics("w:1")
    metrics.register(task)
    assert source.observe(local_task_figures(metrics), T0) is None
    task.records_written = 250  # a second task, on another worker, wrote 50
    other = {"connector": "src", "task": 1, "records_written": 50, "last_commit_ms": T0 - 900, "pending_records": None}
    assert source.observe([*local_task_figures(metrics), other], T0 + 4000) == 50.0
    assert source.to_json("src", T0 + 5000) == {
        "connector": "src",
        "type": "source",
        "records_per_sec": 50.0,
        "last_offset_commit_age_ms": 5500,
        "pending_records": 7,
    }
    assert source.observe([], T0 + 6000) is None
    assert source.to_json("src", T0 + 6000)["records_per_sec"] is None


def test_series_keeps_one_hour_of_points() -> None:
    series = Series(interval_ms=60_000)
    for i in range(100):
        series.add(Point(T0 + i * 60_000, 1.0, i, "OK"))
    assert len(series.points) == 60
    assert [p.lag for p in series.since(T0 + 95 * 60_000)] == [95, 96, 97, 98, 99]


async def test_monitor_takes_source_figures_from_the_cluster_view() -> None:
    class View:
        def __init__(self, figures: list[dict[str, Any]] | None) -> None:
            self.figures = figures

        async def task_figures(self) -> list[dict[str, Any]]:
            if self.figures is None:
                raise RuntimeError("view down")
            return self.figures

    class Herd:
        metrics = WorkerMetrics("w:1")

    Herd.metrics.register(TaskMetrics("src", 0, "source", records_written=5))
    remote = {"connector": "src", "task": 1, "type": "source", "records_written": 9}
    sink = {"connector": "snk", "task": 0, "type": "sink", "records_written": 4}
    monitor = LagMonitor()
    assert [f["task"] for f in await monitor._task_figures(Herd())] == [0]  # type: ignore[arg-type]
    monitor.cluster = View([remote, sink])  # type: ignore[assignment]
    assert await monitor._task_figures(Herd()) == [remote]  # type: ignore[arg-type]
    monitor.cluster = View(None)  # type: ignore[assignment]
    assert [f["task"] for f in await monitor._task_figures(Herd())] == [0]  # type: ignore[arg-type]
