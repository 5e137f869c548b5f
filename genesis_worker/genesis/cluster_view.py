"""One cluster view from any worker: ``GET /genesis/metrics`` (and the figures of ``GET /genesis/pipelines``)
answer for the whole distributed cluster, whichever worker is asked.

Every worker reads the status topic, so every worker knows which worker runs each task (its ``worker_id``,
``host:port`` of that worker's advertised REST URL). The asked worker takes its own tasks' figures from its
metrics and asks each other worker the status names, in parallel, for its figures over the internal
endpoint ``GET /genesis/internal/metrics`` (signed with the session key as Connect's internal requests are,
the caller's ``Authorization`` header passed on as forwarding does). A task's figures are taken only from
the worker the status topic says runs it, so a worker that lost a task (a rebalance moved it) is ignored for
it; a worker that does not answer within ``genesis.cluster.request.timeout.ms`` is reported as unreachable
with its tasks' figures at zero until their new owner writes its status. Answers are reused for
``genesis.cluster.cache.ms``; concurrent requests share one gathering.

    view = ClusterMetrics(herder, worker_id="w1:8083", scheme="http", client=Forwarder(timeout_s=2.0))
    summary = await view.summary(authorization=None)  # WorkerMetrics.summary's JSON, cluster-wide
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from genesis_worker.api.errors import NotFoundException
from genesis_worker.herder.base import Herder
from genesis_worker.herder.errors import ConnectRestException
from genesis_worker.herder.session_keys import sign_request
from genesis_worker.metrics.registry import WorkerMetrics
from genesis_worker.rest.client import Forwarder

INTERNAL_METRICS_PATH = "/genesis/internal/metrics"
COUNTS = ("records_read", "records_written", "records_skipped", "record_errors", "records_dlq", "lag")
RATES = ("read_per_sec", "written_per_sec")
T = TypeVar("T")


class TtlCache(Generic[T]):
    """Values reused for ``ttl_s`` after they were loaded; callers arriving while a load runs share it."""

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl_s
        self.clock = clock
        self._loads: dict[Hashable, tuple[asyncio.Future[T], float]] = {}

    async def get(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        entry = self._loads.get(key)
        if entry is not None:
            future, loaded_at = entry
            if not future.done() or self.clock() - loaded_at < self.ttl:
                return await asyncio.shield(future)
        future = asyncio.ensure_future(load())
        self._loads[key] = (future, float("inf"))
        future.add_done_callback(lambda f: self._loaded(key, f))
        return await asyncio.shield(future)

    def _loaded(self, key: Hashable, future: asyncio.Future[T]) -> None:
        if self._loads.get(key, (None, 0.0))[0] is not future:
            return
        if future.cancelled() or future.exception() is not None:
            del self._loads[key]  # a failed load is not reused
        else:
            self._loads[key] = (future, self.clock())


def local_task_figures(metrics: WorkerMetrics) -> list[dict[str, Any]]:
    """The figures of every task this worker runs (the internal endpoint's ``tasks``)."""
    out = []
    for t in sorted(metrics.tasks(), key=lambda m: (m.connector, m.task)):
        out.append(
            {
                "connector": t.connector,
                "task": t.task,
                "type": t.kind,
                "records_read": t.records_read,
                "records_written": t.records_written,
                "records_skipped": t.records_skipped,
                "record_errors": t.record_errors,
                "records_dlq": t.records_dlq,
                "lag": sum(t.lag().values()),
                "read_per_sec": round(metrics.rate(("task", t.connector, t.task, "read")), 3),
                "written_per_sec": round(metrics.rate(("task", t.connector, t.task, "written")), 3),
                "last_commit_ms": t.last_commit_ms,
                "pending_records": _int_or_none(t.read(t.active_reader)),
            }
        )
    return out


def _int_or_none(value: float) -> int | None:
    return None if math.isnan(value) else int(value)


@dataclass
class MemberFigures:
    """What one worker answered: its tasks' figures, or why it could not be asked (``tasks`` None)."""

    worker_id: str
    tasks: list[dict[str, Any]] | None
    error: str | None = None


def _number(value: Any) -> int | float:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _zero_connector() -> dict[str, Any]:
    return {"type": None, **dict.fromkeys(COUNTS, 0), "tasks": 0, **dict.fromkeys(RATES, 0.0), "task_metrics": []}


def _totals(figures: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    figs = list(figures)
    return {
        "read_per_sec": round(sum(f["read_per_sec"] for f in figs), 3),
        "written_per_sec": round(sum(f["written_per_sec"] for f in figs), 3),
        "lag": sum(f["lag"] for f in figs),
    }


def owned_figures(
    owners: Mapping[tuple[str, int], str], members: Iterable[MemberFigures]
) -> dict[tuple[str, int], tuple[str, Mapping[str, Any]]]:
    """Each task's figures (and the worker they came from) from the worker the status topic says runs it; a
    task without a status from whichever worker reports it first."""
    accepted: dict[tuple[str, int], tuple[str, Mapping[str, Any]]] = {}
    for m in members:
        for fig in m.tasks or ():
            task = fig.get("task")
            if not isinstance(task, int) or not isinstance(fig.get("connector"), str):
                continue  # not figures this version writes
            key = (fig["connector"], task)
            owner = owners.get(key)
            if (owner is None or owner == m.worker_id) and key not in accepted:
                accepted[key] = (m.worker_id, fig)
    return accepted


def cluster_summary(
    worker_id: str,
    window_seconds: float,
    connectors: Iterable[str],
    owners: Mapping[tuple[str, int], str],
    members: Iterable[MemberFigures],
) -> dict[str, Any]:
    """``WorkerMetrics.summary``'s JSON for the whole cluster. ``owners`` maps each task to the worker the
    status topic says runs it; a task's figures come from that worker only (a task without a status from
    whichever worker reports it). Added to today's shape: ``task_metrics`` per connector (one entry per task
    with its ``worker_id``; ``error`` and zeros when its worker did not answer) and ``cluster`` (totals and
    every worker asked). ``worker`` stays this worker's own totals."""
    members = list(members)
    accepted: dict[tuple[str, int], dict[str, Any]] = {}
    for key, (worker, fig) in owned_figures(owners, members).items():
        accepted[key] = {**{k: _number(fig.get(k)) for k in (*COUNTS, *RATES)}, "type": fig.get("type")}
        accepted[key]["worker_id"] = worker
    unreachable = {m.worker_id: m.error for m in members if m.tasks is None}
    for key, owner in owners.items():
        if key not in accepted and owner in unreachable:
            accepted[key] = {"type": None, **dict.fromkeys(COUNTS, 0), **dict.fromkeys(RATES, 0.0)}
            accepted[key].update(worker_id=owner, error=unreachable[owner])
    per: dict[str, dict[str, Any]] = {name: _zero_connector() for name in connectors}
    for (connector, task), fig in sorted(accepted.items()):
        c = per.setdefault(connector, _zero_connector())
        if "error" not in fig:
            c["type"] = c["type"] or fig["type"]
            c["tasks"] += 1
        for k in COUNTS:
            c[k] += fig[k]
        for k in RATES:
            c[k] = round(c[k] + fig[k], 3)
        entry = {"id": task, **{k: v for k, v in fig.items() if k != "type"}}
        c["task_metrics"].append(entry)
    workers = []
    for m in sorted(members, key=lambda m: m.worker_id):
        w: dict[str, Any] = {
            "worker_id": m.worker_id,
            "reachable": m.tasks is not None,
            "tasks": sum(1 for f in accepted.values() if f["worker_id"] == m.worker_id and "error" not in f),
        }
        if m.error is not None:
            w["error"] = m.error
        workers.append(w)
    return {
        "worker_id": worker_id,
        "window_seconds": window_seconds,
        "connectors": dict(sorted(per.items())),
        "worker": _totals(f for f in accepted.values() if f["worker_id"] == worker_id),
        "cluster": {**_totals(accepted.values()), "workers": workers},
    }


def member_url(scheme: str, worker_id: str) -> str:
    """The REST base URL of the worker ``worker_id`` (``host:port``; an IPv6 host gets its brackets back)."""
    host, _, port = worker_id.rpartition(":")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


class ClusterMetrics:
    """Cluster-wide ``/genesis/metrics`` for a distributed worker (see the module doc)."""

    def __init__(
        self,
        herder: Herder,
        *,
        worker_id: str,
        scheme: str,
        client: Forwarder,
        algorithm: str = "HmacSHA256",
        cache_s: float = 2.0,
    ) -> None:
        self.herder = herder
        self.worker_id = worker_id
        self.scheme = scheme
        self.client = client
        self.algorithm = algorithm
        self._cache: TtlCache[dict[str, Any]] = TtlCache(cache_s)
        self._figures: TtlCache[list[Mapping[str, Any]]] = TtlCache(cache_s)

    async def summary(self, authorization: str | None) -> dict[str, Any]:
        return await self._cache.get("summary", lambda: self._gather(authorization))

    async def _owners(self) -> tuple[list[str], dict[tuple[str, int], str]]:
        names = await self.herder.connectors()
        owners: dict[tuple[str, int], str] = {}
        for name in names:
            try:
                status = await self.herder.connector_status(name)
            except NotFoundException:
                continue  # deleted meanwhile
            for task in status.tasks:
                if task.worker_id:
                    owners[(name, task.id)] = task.worker_id
        return names, owners

    async def task_figures(self) -> list[Mapping[str, Any]]:
        """Every task's figures from the worker that runs it (``local_task_figures``' fields), for the lag
        monitor's source figures; a worker that cannot be asked (down, or REST basic authentication on: this
        request carries no user's credentials) leaves its tasks out."""

        async def load() -> list[Mapping[str, Any]]:
            _, owners = await self._owners()
            members = await self._members(owners, None)
            return [fig for _, fig in owned_figures(owners, members).values()]

        return await self._figures.get("task_figures", load)

    async def _members(self, owners: Mapping[tuple[str, int], str], authorization: str | None) -> list[MemberFigures]:
        metrics = self.herder.metrics
        local = MemberFigures(self.worker_id, local_task_figures(metrics) if metrics is not None else [])
        others = sorted({w for w in owners.values() if w != self.worker_id})
        fetched = await asyncio.gather(*(self._fetch(w, authorization) for w in others))
        return [local, *fetched]

    async def _gather(self, authorization: str | None) -> dict[str, Any]:
        names, owners = await self._owners()
        members = await self._members(owners, authorization)
        window = self.herder.metrics.window if self.herder.metrics is not None else 0.0
        return cluster_summary(self.worker_id, window, names, owners, members)

    async def _fetch(self, worker_id: str, authorization: str | None) -> MemberFigures:
        key = self.herder.session_key()
        headers = sign_request(key, self.algorithm, b"") if key is not None else {}
        url = member_url(self.scheme, worker_id) + INTERNAL_METRICS_PATH
        try:
            _, body = await self.client.request(url, "GET", authorization=authorization, extra_headers=headers)
        except ConnectRestException as e:
            return MemberFigures(worker_id, None, str(e.message or e))
        tasks = body.get("tasks") if isinstance(body, dict) else None
        if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
            return MemberFigures(worker_id, None, f"{url} answered no task figures")
        return MemberFigures(worker_id, tasks)
