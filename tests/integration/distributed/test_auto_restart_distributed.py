"""The automatic restart policy (``genesis.restart.*``) in a two-worker cluster (real runtime Worker, Kafka
4.4): each worker restarts the FAILED connector and tasks it runs, through the restart-request path
(RESTARTING, then RUNNING, in the status topic every worker reads); the restarts are counted in the owner's
``genesis_restarts_total`` and listed in the owner's history."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.genesis.layer import GenesisLayer
from genesis_worker.herder.distributed import DistributedHerder, from_worker_config
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State
from tests.fixtures.net import free_ports

from .harness import cluster_props, serve, stable, stop_node, wait_for
from .plugins import STARTS, FlakySourceConnector, class_path

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

POLICY = {
    "genesis.restart.enabled": "true",
    "genesis.restart.backoff.initial.ms": "200",
    "genesis.restart.backoff.max.ms": "800",
}


async def test_each_worker_restarts_what_it_runs(kafka: Any) -> None:
    props = cluster_props(kafka.bootstrap, **POLICY)
    herders: list[DistributedHerder] = []
    layers: list[GenesisLayer] = []
    for i, port in enumerate(free_ports(2)):
        wprops = {**props, "listeners": f"http://127.0.0.1:{port}", "rest.advertised.host.name": "127.0.0.1"}
        config = WorkerConfig(wprops, "distributed")
        h = from_worker_config(config)
        layers.append(GenesisLayer.attach(h, config))
        await serve(h, wprops, port)
        if i == 0:
            await h.start()  # creates the internal topics
        herders.append(h)
    try:
        await herders[1].start()
        for layer in layers:
            await layer.start()  # the history topic: read back and followed
        await wait_for(lambda: stable(herders), 60, "first stable assignment")
        lead = next(h for h in herders if h.is_leader)
        name = "flaky-dist"
        config = {
            "connector.class": class_path(FlakySourceConnector),
            "tasks.max": "2",
            "topic": name,
            "fail.connector.starts": "1",
            "fail.task.starts": "2",
        }
        await lead.put_connector_config(name, config, allow_replace=False)
        tasks = [ConnectorTaskId(name, 0), ConnectorTaskId(name, 1)]

        def all_running() -> bool:
            return all(
                h.statuses.connector_state(name) is State.RUNNING
                and all(h.statuses.task_state(t) is State.RUNNING for t in tasks)
                for h in herders
            )

        await wait_for(all_running, 60, "connector and tasks RUNNING after automatic restarts")
        assert STARTS[name] == 2 and STARTS[f"{name}-0"] == 3 and STARTS[f"{name}-1"] == 3
        for h, layer in zip(herders, layers, strict=True):
            text = h.metrics.exposition().decode() if h.metrics is not None else ""
            await wait_for(
                lambda h=h, layer=layer: (
                    sum(
                        1
                        for e in layer.history.events(name)
                        if e.action == "auto-restarted" and e.worker == h.worker_id
                    )
                    >= 2 * len([t for t in tasks if t in h.local.tasks])
                ),
                20,
                "the history topic to show this worker's automatic restarts",
            )
            actions = [e for e in layer.history.events(name) if e.action == "auto-restarted"]
            mine = [t for t in tasks if t in h.local.tasks]
            expected = [(t.task, a) for t in mine for a in (1, 2)]
            if name in h.local.connectors:
                assert f'genesis_restarts_total{{connector="{name}",kind="connector",task=""}} 1.0' in text
                expected.append(("connector", 1))
            for t in mine:
                assert f'genesis_restarts_total{{connector="{name}",kind="task",task="{t.task}"}} 2.0' in text
            mine_recorded = [(e.details["task"], e.details["attempt"]) for e in actions if e.worker == h.worker_id]
            assert sorted(mine_recorded, key=str) == sorted(expected, key=str)
        assert sorted(t for h in herders for t in h.local.tasks if t.connector == name) == tasks
    finally:
        await asyncio.gather(*(layer.stop() for layer in layers))
        await asyncio.gather(*(stop_node(h) for h in herders))
