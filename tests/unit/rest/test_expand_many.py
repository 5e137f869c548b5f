"""GET /connectors?expand=status&expand=info with 500 connectors (FakeHerder, loopback HTTP): every entry
has both expansions. Its latency, against Java Connect, is measured in benchmarks/rest_latency.py."""

from __future__ import annotations

from genesis_worker.model.states import TargetState
from tests.unit.rest.conftest import SINK, MakeClient
from tests.unit.rest.fake_herder import FakeHerder

N_CONNECTORS = 500


def populate(herder: FakeHerder) -> None:
    for i in range(N_CONNECTORS):
        name = f"connector-{i:04d}"
        herder.configs[name] = {
            "connector.class": SINK,
            "name": name,
            "topics": f"topic-{i}",
            "tasks.max": "4",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
        }
        herder.targets[name] = TargetState.STARTED
        herder.task_counts[name] = 4
        herder._write_status(name)


async def test_expand_500_connectors_shape(herder: FakeHerder, make_client: MakeClient) -> None:
    populate(herder)
    client = await make_client(herder)
    first = await (await client.get("/connectors?expand=status&expand=info")).json()
    assert len(first) == N_CONNECTORS and len(first["connector-0499"]["status"]["tasks"]) == 4
    entry = first["connector-0123"]
    assert set(entry) == {"status", "info"}
    assert entry["info"]["name"] == "connector-0123" and entry["info"]["config"]["topics"] == "topic-123"
    assert [t["id"] for t in entry["status"]["tasks"]] == [0, 1, 2, 3]
