"""KIP-421 config reloads: provider TTLs reach the transformer's result, the worker schedules one restart
per connector at the smallest TTL when ``config.action.reload`` is ``restart`` (the default), a newer
schedule replaces the pending one, a stopped connector cancels it and a STOPPED one holds it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from genesis_worker.api.config_provider import ConfigData, ConfigProvider
from genesis_worker.api.errors import ConfigException
from genesis_worker.config.providers import ConfigTransformer
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State, TargetState
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.runtime.config_reload import ConfigReloads, restarts_on_reload
from genesis_worker.runtime.connector_config import parse_connector_config
from genesis_worker.runtime.worker import Worker


class TtlProvider(ConfigProvider):
    """Values ``<path>/<key>``; the TTL of a path is given by ``ttl.<path>`` (absent: no TTL)."""

    def configure(self, configs: Mapping[str, str]) -> None:
        self.ttls = {k[len("ttl.") :]: int(v) for k, v in configs.items() if k.startswith("ttl.")}

    def get(self, path: str | None, keys: Iterable[str] | None = None) -> ConfigData:
        ttl = self.ttls.get(path or "")
        return ConfigData({k: f"{path}/{k}" for k in keys or ()}, ttl)


def _provider(**ttls: int) -> TtlProvider:
    p = TtlProvider()
    p.configure({f"ttl.{k}": str(v) for k, v in ttls.items()})
    return p


def test_the_transformer_returns_the_ttl_of_each_path() -> None:
    t = ConfigTransformer({"v": _provider(a=1500, b=-1, **{"": 200})})
    result = t.transform({"x": "${v:a:k1}", "y": "${v:a:k2}-${v:b:k}", "z": "${v:c:k}", "w": "${v:k}", "n": 1})
    assert result.data == {"x": "a/k1", "y": "a/k2-b/k", "z": "c/k", "w": "None/k", "n": 1}
    assert result.ttls == {"a": 1500, "": 200}  # a negative TTL and no TTL are left out, as in Kafka
    assert ConfigTransformer({"v": _provider(a=5)}).transform({"x": "plain"}).ttls == {}


def test_worker_config_resolves_with_ttls(tmp_path: Path) -> None:
    cfg = WorkerConfig(
        {
            "offset.storage.file.filename": str(tmp_path / "o"),
            "key.converter": "StringConverter",
            "value.converter": "StringConverter",
            "config.providers": "v",
            "config.providers.v.class": f"{__name__}.TtlProvider",
            "config.providers.v.param.ttl.p": "1500",
        }
    )
    result = cfg.resolve_connector_config({"a": "${v:p:k}"})
    assert (result.data, result.ttls) == ({"a": "p/k"}, {"p": 1500})
    assert cfg.transform_connector_config({"a": "${v:p:k}"}) == {"a": "p/k"}


def test_reload_action_defaults_to_restart_and_is_validated() -> None:
    assert restarts_on_reload({})
    assert restarts_on_reload({"config.action.reload": "restart"})
    assert not restarts_on_reload({"config.action.reload": "none"})
    registry = PluginRegistry.discover()
    props = {"name": "c", "connector.class": "FileStreamSource", "topic": "t"}
    parse_connector_config(registry, {**props, "config.action.reload": "none"}, topic_creation_enabled=False)
    with pytest.raises(ConfigException, match=r"Invalid value later for configuration config\.action\.reload"):
        parse_connector_config(registry, {**props, "config.action.reload": "later"}, topic_creation_enabled=False)


class Restarts:
    def __init__(self) -> None:
        self.calls: list[tuple[str, float]] = []

    def __call__(self, connector: str) -> None:
        self.calls.append((connector, asyncio.get_running_loop().time()))


async def test_a_newer_schedule_replaces_the_pending_one() -> None:
    restarts = Restarts()
    reloads = ConfigReloads(restarts)
    start = asyncio.get_running_loop().time()
    reloads.schedule("c", {"a": 50, "b": 500})  # the smallest TTL counts
    reloads.schedule("c", {"a": 150})
    reloads.schedule("d", {"": 60})
    await asyncio.sleep(0.3)
    assert [c for c, _ in restarts.calls] == ["d", "c"]
    assert restarts.calls[1][1] - start >= 0.14  # the 50 ms restart was replaced
    assert reloads.deadline("c") is None


async def test_cancel_and_stopped_connectors() -> None:
    restarts = Restarts()
    unbound = ConfigReloads()
    unbound.schedule("c", {"a": 10})  # no herder to restart it: nothing to schedule
    assert unbound.deadline("c") is None
    reloads = ConfigReloads(restarts)
    reloads.schedule("c", {"a": 50})
    reloads.schedule("d", {})  # no TTL: nothing
    reloads.cancel("c")
    reloads.schedule("s", {"a": 50})
    reloads.set_stopped("s", True)
    reloads.schedule("t", {"a": 20}, stopped=True)
    await asyncio.sleep(0.15)
    assert restarts.calls == []
    assert reloads.deadline("s") is not None
    reloads.set_stopped("s", False)  # expired while STOPPED: restarted at once
    reloads.set_stopped("t", False)
    await asyncio.sleep(0.02)
    assert sorted(c for c, _ in restarts.calls) == ["s", "t"]
    reloads.schedule("c", {"a": 50})
    reloads.close()
    await asyncio.sleep(0.1)
    assert len(restarts.calls) == 2


class _Listener:
    def __init__(self) -> None:
        self.states: list[tuple[str, State]] = []

    def on_connector_state(self, connector: str, state: State, trace: str | None = None) -> None:
        self.states.append((connector, state))

    def on_task_state(self, task: ConnectorTaskId, state: State, trace: str | None = None) -> None:
        pass

    def on_topic_active(self, connector: str, topic: str) -> None:
        pass


def _worker(tmp_path: Path) -> tuple[Worker, Restarts]:
    config = WorkerConfig(
        {
            "bootstrap.servers": "127.0.0.1:1",
            "offset.storage.file.filename": str(tmp_path / "o"),
            "key.converter": "StringConverter",
            "value.converter": "StringConverter",
            "config.providers": "v",
            "config.providers.v.class": f"{__name__}.TtlProvider",
            "config.providers.v.param.ttl.short": "100",
            "config.providers.v.param.ttl.long": "60000",
        }
    )
    offsets: Any = None  # a connector without tasks does not read offsets
    restarts = Restarts()
    worker = Worker(config, PluginRegistry.discover(), offsets, _Listener(), on_config_reload=restarts)
    return worker, restarts


def _props(name: str, **extra: str) -> dict[str, str]:
    return {"name": name, "connector.class": "FileStreamSource", "topic": "t", **extra}


async def test_the_worker_schedules_a_restart_at_connector_start(tmp_path: Path) -> None:
    worker, restarts = _worker(tmp_path)
    ok = await worker.start_connector("c", _props("c", file="${v:short:f}", batch="${v:long:b}"), TargetState.STARTED)
    assert ok and worker.connectors["c"].props["file"] == "short/f"
    assert await worker.start_connector("plain", _props("plain", file="/x"), TargetState.STARTED)
    assert await worker.start_connector(
        "none", _props("none", file="${v:short:f}", **{"config.action.reload": "none"}), TargetState.STARTED
    )
    assert await worker.start_connector("gone", _props("gone", file="${v:short:f}"), TargetState.STARTED)
    await worker.stop_connector("gone")  # a connector that stops here (deleted, revoked) is not restarted
    assert await worker.start_connector("held", _props("held", file="${v:short:f}"), TargetState.STARTED)
    await worker.set_target_state("held", TargetState.STOPPED)
    assert [n for n in ("c", "plain", "none", "gone", "held") if worker.reloads.deadline(n) is not None] == [
        "c",
        "held",
    ]
    await asyncio.sleep(0.3)
    assert [c for c, _ in restarts.calls] == ["c"]  # the smallest TTL: 100 ms, not 60 s
    await worker.set_target_state("held", TargetState.STARTED)
    await asyncio.sleep(0.02)
    assert [c for c, _ in restarts.calls] == ["c", "held"]
    await worker.stop()
