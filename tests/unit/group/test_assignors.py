"""Eager and incremental cooperative assignors (group spec §6.2, §7, §8)."""

from __future__ import annotations

from collections import Counter

from genesis_worker.group.assignors import ConfigSnapshot, EagerAssignor, IncrementalCooperativeAssignor
from genesis_worker.group.assignors.cooperative import consecutive_revoking_backoff
from genesis_worker.group.protocol import (
    CONFIG_MISMATCH,
    ConnectAssignment,
    WorkerState,
    decode_assignment,
    encode_metadata,
)
from genesis_worker.model.ids import ConnectorTaskId

T = ConnectorTaskId


def url(m: str) -> str:
    return f"http://{m}:8083/"


# ------------------------------------------------------------------------------------------------ eager


def test_eager_example_from_spec() -> None:
    members = {m: encode_metadata(WorkerState(url(m), 3), 0) for m in ("b", "a")}
    res = EagerAssignor().assign("b", members, ConfigSnapshot(3, {"y": 1, "x": 2}))
    a, b = res.assignments["a"], res.assignments["b"]
    assert a.connectors == ("x",) and a.tasks == (T("x", 0), T("y", 0))
    assert b.connectors == ("y",) and b.tasks == (T("x", 1),)
    assert a.leader == "b" and a.leader_url == url("b") and a.offset == 3 and a.version == 0
    assert res.task_owners[T("y", 0)] == url("a")
    enc = res.encoded()
    assert decode_assignment(enc["a"]) == a


def test_eager_sorting_is_java_utf16_order() -> None:
    # U+1F600 (surrogates D83D DE00) sorts before U+FF21 in UTF-16 code units, after it in code points
    m1, m2 = "\U0001f600", "\uff21"
    assert sorted([m1, m2]) == [m2, m1]
    members = {m: WorkerState(url("x"), -1) for m in (m2, m1)}
    res = EagerAssignor().assign(m1, members, ConfigSnapshot(-1, {"c": 0}))
    assert res.assignments[m1].connectors == ("c",)


def test_eager_config_mismatch_with_refresh() -> None:
    members = {"a": WorkerState(url("a"), 5), "b": WorkerState(url("b"), 7)}
    res = EagerAssignor().assign("a", members, ConfigSnapshot(5, {"c": 1}))
    for a in res.assignments.values():
        assert a.error == CONFIG_MISMATCH and a.offset == 7 and a.connectors == () and a.tasks == ()
    # a fresh snapshot that caught up is used
    res = EagerAssignor().assign("a", members, ConfigSnapshot(5, {}), refresh=lambda: ConfigSnapshot(7, {"c": 1}))
    assert res.assignments["a"].error == 0 and res.assignments["a"].offset == 7
    assert res.assignments["a"].connectors == ("c",)


# ------------------------------------------------------------------------------------------ cooperative


class Cluster:
    """Members that apply incremental assignments like a Java worker (§8.1) and a leader that runs
    rounds with increasing generations."""

    def __init__(self, assignor: IncrementalCooperativeAssignor, members: list[str]) -> None:
        self.assignor = assignor
        self.running: dict[str, tuple[set[str], set[ConnectorTaskId]]] = {m: (set(), set()) for m in members}
        self.generation = 0
        self.last_completed = -1
        self.snapshot = ConfigSnapshot(0, {})

    def add(self, m: str) -> None:
        self.running[m] = (set(), set())

    def crash(self, m: str) -> None:
        del self.running[m]

    def metadata(self) -> dict[str, bytes]:
        out = {}
        for m, (cs, ts) in self.running.items():
            alloc = ConnectAssignment(2, 0, "", "", 0, tuple(sorted(cs)), tuple(sorted(ts)))
            out[m] = encode_metadata(WorkerState(url(m), self.snapshot.offset, alloc), 2)
        return out

    def round(self, now: int = 0) -> dict[str, ConnectAssignment]:
        self.generation += 1
        leader = sorted(self.running)[0]
        res = self.assignor.assign(
            leader,
            self.metadata(),
            self.snapshot,
            generation=self.generation,
            last_completed_generation=self.last_completed,
            now_ms=now,
        )
        out = {m: decode_assignment(b) for m, b in res.encoded().items()}
        for m, a in out.items():
            cs, ts = self.running[m]
            cs.difference_update(a.revoked_connectors)
            ts.difference_update(a.revoked_tasks)
            cs.update(a.connectors)
            ts.update(a.tasks)
        self.last_completed = self.generation
        return out

    def until_stable(self, now: int = 0, limit: int = 10) -> int:
        """Rounds while someone got a revocation (members rejoin right away after revocations)."""
        for i in range(limit):
            out = self.round(now)
            if not any(a.revoked_connectors or a.revoked_tasks for a in out.values()):
                return i + 1
        raise AssertionError("did not converge")

    def counts(self) -> dict[str, tuple[int, int]]:
        return {m: (len(cs), len(ts)) for m, (cs, ts) in self.running.items()}

    def all_items(self) -> tuple[Counter[str], Counter[ConnectorTaskId]]:
        cc: Counter[str] = Counter()
        tc: Counter[ConnectorTaskId] = Counter()
        for cs, ts in self.running.values():
            cc.update(cs)
            tc.update(ts)
        return cc, tc

    def assert_exactly_once(self) -> None:
        cc, tc = self.all_items()
        assert set(cc) == set(self.snapshot.task_counts)
        assert all(v == 1 for v in cc.values())
        expected = {t for c in self.snapshot.task_counts for t in self.snapshot.tasks(c)}
        assert set(tc) == expected and all(v == 1 for v in tc.values())


def balanced(counts: dict[str, tuple[int, int]]) -> bool:
    cs = [c for c, _ in counts.values()]
    ts = [t for _, t in counts.values()]
    return max(cs) - min(cs) <= 1 and max(ts) - min(ts) <= 1


def test_first_round_spreads_created_work() -> None:
    c = Cluster(IncrementalCooperativeAssignor(), ["w1", "w2", "w3"])
    c.snapshot = ConfigSnapshot(4, {"a": 4, "b": 3, "c": 2})
    out = c.round()
    assert all(a.version == 2 and a.offset == 4 and a.delay == 0 for a in out.values())
    c.assert_exactly_once()
    assert balanced(c.counts())
    # deterministic: w1 gets the first connector in Java string order
    assert out["w1"].connectors == ("a",)


def test_compatible_uses_version_1_header() -> None:
    c = Cluster(IncrementalCooperativeAssignor("compatible"), ["w1"])
    c.snapshot = ConfigSnapshot(1, {"a": 1})
    assert c.round()["w1"].version == 1


def test_stable_round_changes_nothing() -> None:
    c = Cluster(IncrementalCooperativeAssignor(), ["w1", "w2"])
    c.snapshot = ConfigSnapshot(1, {"a": 3})
    c.round()
    out = c.round()
    for a in out.values():
        assert (a.connectors, a.tasks, a.revoked_connectors, a.revoked_tasks, a.delay) == ((), (), (), (), 0)


def test_new_worker_joins_two_rounds() -> None:
    c = Cluster(IncrementalCooperativeAssignor(), ["w1", "w2"])
    c.snapshot = ConfigSnapshot(1, {"a": 6, "b": 6})
    c.round()
    c.add("w3")
    out = c.round()
    revoked = sum(len(a.revoked_tasks) + len(a.revoked_connectors) for a in out.values())
    assert revoked > 0
    assert out["w3"].tasks == ()  # revoked items are handed out in the follow-up round
    out = c.round()
    assert out["w3"].tasks and not any(a.revoked_tasks for a in out.values())
    c.assert_exactly_once()
    assert c.counts()["w3"][1] == 4
    assert balanced(c.counts())


def test_new_connector_created() -> None:
    c = Cluster(IncrementalCooperativeAssignor(), ["w1", "w2"])
    c.snapshot = ConfigSnapshot(1, {"a": 2})
    c.round()
    c.snapshot = ConfigSnapshot(2, {"a": 2, "b": 0})
    out = c.round()
    assert out["w2"].connectors == ("b",) and not out["w1"].connectors
    c.snapshot = ConfigSnapshot(4, {"a": 2, "b": 2})
    out = c.round()
    assert sorted(t for a in out.values() for t in a.tasks) == [T("b", 0), T("b", 1)]
    c.assert_exactly_once()


def test_task_count_decrease_and_connector_delete_are_revoked() -> None:
    c = Cluster(IncrementalCooperativeAssignor(), ["w1", "w2"])
    c.snapshot = ConfigSnapshot(1, {"a": 4, "b": 2})
    c.round()
    c.snapshot = ConfigSnapshot(2, {"a": 1})
    out = c.round()
    revoked_tasks = {t for a in out.values() for t in a.revoked_tasks}
    revoked_conns = {x for a in out.values() for x in a.revoked_connectors}
    assert revoked_tasks == {T("a", 1), T("a", 2), T("a", 3), T("b", 0), T("b", 1)}
    assert revoked_conns == {"b"}
    c.until_stable()
    c.assert_exactly_once()


def test_duplicated_items_are_revoked_from_all_holders_then_recreated() -> None:
    a = IncrementalCooperativeAssignor()
    c = Cluster(a, ["w1", "w2"])
    c.snapshot = ConfigSnapshot(1, {"a": 2})
    c.round()
    # w2 also claims task a-0 (e.g. it kept it from an old generation)
    c.running["w2"][1].add(T("a", 0))
    c.running["w1"][1].add(T("a", 0))
    out = c.round()
    assert T("a", 0) in out["w1"].revoked_tasks and T("a", 0) in out["w2"].revoked_tasks
    c.until_stable()
    c.assert_exactly_once()


def test_worker_crash_schedules_delay_then_reassigns_to_returning_worker() -> None:
    a = IncrementalCooperativeAssignor(max_delay_ms=300_000)
    c = Cluster(a, ["w1", "w2", "w3"])
    c.snapshot = ConfigSnapshot(1, {"a": 3, "b": 3, "c": 3})
    c.round(now=0)
    lost_c, lost_t = set(c.running["w3"][0]), set(c.running["w3"][1])
    c.crash("w3")
    out = c.round(now=1000)
    assert all(x.delay == 300_000 for x in out.values())
    assert not any(x.connectors or x.tasks or x.revoked_tasks for x in out.values())
    # another rebalance during the delay sends the remaining time
    out = c.round(now=101_000)
    assert all(x.delay == 200_000 for x in out.values())
    # the crashed worker comes back (empty running set) -> candidate
    c.add("w3")
    out = c.round(now=201_000)
    assert all(x.delay == 100_000 for x in out.values())
    assert out["w3"].tasks == ()
    # delay expired: lost items go to the candidate
    out = c.round(now=301_000)
    assert set(out["w3"].connectors) == lost_c and set(out["w3"].tasks) == lost_t
    assert all(x.delay == 0 for x in out.values())
    c.assert_exactly_once()


def test_worker_crash_without_candidate_spreads_as_new_work() -> None:
    a = IncrementalCooperativeAssignor(max_delay_ms=10_000)
    c = Cluster(a, ["w1", "w2", "w3"])
    c.snapshot = ConfigSnapshot(1, {"a": 3, "b": 3})
    c.round(now=0)
    c.crash("w3")
    out = c.round(now=0)
    assert out["w1"].delay == 10_000
    out = c.round(now=10_000)
    assert all(x.delay == 0 for x in out.values())
    c.assert_exactly_once()
    assert balanced(c.counts())


def test_zero_max_delay_reassigns_immediately() -> None:
    c = Cluster(IncrementalCooperativeAssignor(max_delay_ms=0), ["w1", "w2"])
    c.snapshot = ConfigSnapshot(1, {"a": 4})
    c.round()
    c.crash("w2")
    out = c.round()
    assert out["w1"].delay == 0
    c.assert_exactly_once()


def test_missed_assignment_without_departure_is_reassigned_now() -> None:
    # the leader lost an assignment round (no member left): missing items are recreated at once
    a = IncrementalCooperativeAssignor()
    c = Cluster(a, ["w1", "w2"])
    c.snapshot = ConfigSnapshot(1, {"a": 2})
    c.round()
    c.running["w2"] = (set(), set())  # w2 did not receive/apply its assignment
    out = c.round()
    assert out["w1"].delay == 0
    c.assert_exactly_once()


def test_new_leader_clears_previous_assignment() -> None:
    c = Cluster(IncrementalCooperativeAssignor(), ["w1", "w2"])
    c.snapshot = ConfigSnapshot(1, {"a": 2})
    c.round()
    # a brand-new leader (fresh assignor) sees the running sets and creates nothing twice
    c.assignor = IncrementalCooperativeAssignor()
    out = c.round()
    assert not any(x.connectors or x.tasks or x.revoked_tasks for x in out.values())
    c.assert_exactly_once()


def test_generation_gap_resets_previous_assignment() -> None:
    a = IncrementalCooperativeAssignor()
    c = Cluster(a, ["w1"])
    c.snapshot = ConfigSnapshot(1, {"a": 1})
    c.round()
    assert a.previous_assignment.connectors
    c.last_completed = 99
    c.round()
    assert a.previous_generation_id == c.generation


def test_successive_revoking_rebalances_back_off() -> None:
    assert [consecutive_revoking_backoff(n, 300_000) for n in (1, 2, 3, 4)] == [40, 1600, 64_000, 300_000]
    assert consecutive_revoking_backoff(3, 0) == 0
    a = IncrementalCooperativeAssignor()
    c = Cluster(a, ["w1"])
    c.snapshot = ConfigSnapshot(1, {"a": 8})
    c.round()
    c.add("w2")
    out = c.round(now=0)
    assert out["w1"].revoked_tasks  # first balancing round revokes
    assert a.revoked_in_previous
    c.add("w3")  # joins while w2 has not been given the revoked tasks yet
    out = c.round(now=0)
    # successive revoking rebalance: delayed by 40 ms, revocations not applied this round
    assert all(x.delay == 40 for x in out.values())
    assert not any(x.revoked_tasks for x in out.values())
    c.until_stable(now=100)
    c.round(now=100)
    c.assert_exactly_once()
    assert balanced(c.counts())


def test_cooperative_config_mismatch_keeps_state() -> None:
    a = IncrementalCooperativeAssignor()
    members = {
        "a": encode_metadata(WorkerState(url("a"), 5), 2),
        "b": encode_metadata(WorkerState(url("b"), 9), 2),
    }
    res = a.assign("a", members, ConfigSnapshot(5, {"c": 1}), generation=1)
    for x in res.assignments.values():
        assert x.error == CONFIG_MISMATCH and x.offset == 9 and x.version == 2 and x.delay == 0
    assert a.previous_generation_id == -1
    enc = res.encoded()["b"]
    assert enc.hex().endswith("0000000000000009" + "00000000" * 3)


def test_owner_urls_after_round() -> None:
    a = IncrementalCooperativeAssignor()
    members = {m: encode_metadata(WorkerState(url(m), 1), 2) for m in ("w1", "w2")}
    res = a.assign("w1", members, ConfigSnapshot(1, {"x": 2}), generation=1)
    assert res.connector_owners == {"x": url("w1")}
    assert set(res.task_owners.values()) == {url("w1"), url("w2")}


def test_many_workers_large_cluster_converges() -> None:
    c = Cluster(IncrementalCooperativeAssignor(), [f"w{i}" for i in range(5)])
    c.snapshot = ConfigSnapshot(1, {f"c{i}": i for i in range(12)})
    c.round()
    c.assert_exactly_once()
    for i in range(5, 8):
        c.add(f"w{i}")
        c.until_stable()
        c.assert_exactly_once()
        assert balanced(c.counts())
