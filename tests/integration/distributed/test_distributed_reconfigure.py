"""Real Worker, cooperative protocol: a connector that asks for a task reconfiguration gets its new
task set spread over the cluster, and tasks of other connectors never stop; a worker joining later
takes over only the tasks it ends up with (every other task keeps running untouched)."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.herder.distributed import from_worker_config
from tests.fixtures.net import free_port

from . import plugins
from .harness import cluster_props, serve, spread, stable, stop_node, wait_for
from .plugins import EVENTS, DynamicSourceConnector, SeqSourceConnector, class_path
from .test_distributed_cluster import call, start_workers

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]
log = logging.getLogger(__name__)


async def test_connector_requested_reconfiguration_and_join(kafka: Any, tmp_path: Path) -> None:
    plugins.reset_events()
    props = cluster_props(kafka.bootstrap)
    topic = kafka.create_topic(f"dyn-{uuid.uuid4().hex[:8]}", partitions=1)
    count_file = tmp_path / "tasks"
    count_file.write_text("2")
    herders = await start_workers(props, 2)
    try:
        L = next(h for h in herders if h.is_leader).rest_url()
        async with aiohttp.ClientSession() as s:
            st, b = await call(
                s,
                "PUT",
                f"{L}connectors/other/config",
                {
                    "connector.class": class_path(SeqSourceConnector),
                    "tasks.max": "4",
                    "topic": topic,
                    "records.per.task": "0",
                },
            )
            assert st == 201, b
            st, b = await call(
                s,
                "PUT",
                f"{L}connectors/dyn/config",
                {
                    "connector.class": class_path(DynamicSourceConnector),
                    "tasks.max": "10",
                    "topic": topic,
                    "tasks.file": str(count_file),
                },
            )
            assert st == 201, b

            def running(n_dyn: int) -> bool:
                return (
                    stable(herders)
                    and sum(spread(herders, "dyn")) == n_dyn
                    and sum(spread(herders, "other")) == 4
                    and all(EVENTS["start", f"dyn-{i}"] >= 1 for i in range(n_dyn))
                )

            await wait_for(lambda: running(2), 60, "2 dyn tasks + 4 other tasks")
            other_stops = sum(EVENTS["stop", f"other-{i}"] for i in range(4))
            # the connector discovers more work
            t0 = time.monotonic()
            count_file.write_text("6")
            await wait_for(lambda: running(6), 60, "6 dyn tasks after reconfiguration")
            log.info("reconfiguration 2 -> 6 tasks running in %.2fs", time.monotonic() - t0)
            st, b = await call(s, "GET", f"{L}connectors/dyn/tasks")
            assert [t["id"]["task"] for t in b] == list(range(6))
            assert sorted(spread(herders)) == [5, 5]
            assert sum(EVENTS["stop", f"other-{i}"] for i in range(4)) == other_stops

            # a third worker joins: only the tasks that move stop
            before = {str(t): h.worker_id for h in herders for t in h.local.tasks}
            stops_before = {t: EVENTS["stop", t] for t in before}
            port = free_port()
            wprops = {**props, "listeners": f"http://127.0.0.1:{port}", "rest.advertised.host.name": "127.0.0.1"}
            h3 = from_worker_config(WorkerConfig(wprops, "distributed"))
            await serve(h3, wprops, port)
            herders.append(h3)
            t0 = time.monotonic()
            await h3.start()
            await wait_for(lambda: stable(herders) and sorted(spread(herders)) == [3, 3, 4], 60, "balanced over 3")
            log.info("third worker balanced in %.2fs", time.monotonic() - t0)
            after = {str(t): h.worker_id for h in herders for t in h.local.tasks}
            moved = {t for t in before if after[t] != before[t]}
            assert moved and {t for t in after if after[t] == h3.worker_id} == moved
            for t in before:
                assert EVENTS["stop", t] - stops_before[t] == (1 if t in moved else 0), t
            # and the statuses say where everything runs now
            await asyncio.sleep(0.5)
            for c in ("dyn", "other"):
                st, b = await call(s, "GET", f"{h3.rest_url()}connectors/{c}/status")
                assert {f"{c}-{t['id']}": t["worker_id"] for t in b["tasks"]} == {
                    k: v for k, v in after.items() if k.startswith(f"{c}-")
                }
    finally:
        await asyncio.gather(*(stop_node(h) for h in herders), return_exceptions=True)
