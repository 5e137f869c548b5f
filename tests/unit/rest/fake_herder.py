"""FakeHerder: an in-memory test double of the Herder ABC for REST tests (no Kafka, no tasks).

It keeps connectors, statuses and offsets in dicts and can be told to behave like a follower
(``leader_url``), to expect a rebalance (``rebalance_pending``), to be slow (``delay``) or to require
signed internal requests (``signing_key``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from genesis_worker.api.connector import SinkConnector, SourceConnector
from genesis_worker.api.errors import AlreadyExistsException, NotFoundException
from genesis_worker.herder.base import Herder
from genesis_worker.herder.errors import BadRequestException, NotLeaderException, RebalanceNeededException
from genesis_worker.model.entities import (
    ConnectorInfo,
    ConnectorOffset,
    ConnectorOffsets,
    ConnectorState,
    ConnectorStateInfo,
    JsonObj,
    Message,
    TaskInfo,
    TaskState,
    WorkerStatus,
)
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.session_key import SessionKey
from genesis_worker.model.states import RestartRequest, State, TargetState
from genesis_worker.plugins.registry import PluginRegistry


class FakeSinkConnector(SinkConnector):
    java_class_names = ("com.example.FakeSinkConnector",)
    plugin_version = "1.2.3"

    def task_class(self) -> Any:
        return object

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [{} for _ in range(max_tasks)]


class FakeSourceConnector(SourceConnector):
    java_class_names = ("com.example.FakeSourceConnector",)
    plugin_version = "undefined"

    def task_class(self) -> Any:
        return object

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return [{} for _ in range(max_tasks)]


class FakeHerder(Herder):
    """In-memory Herder test double."""

    def __init__(self, worker_id: str = "fake:8083") -> None:
        self.plugins = PluginRegistry()
        self.plugins.add(FakeSinkConnector)
        self.plugins.add(FakeSourceConnector)
        self.worker_id = worker_id
        self.configs: dict[str, dict[str, str]] = {}
        self.targets: dict[str, TargetState] = {}
        self.task_counts: dict[str, int] = {}
        self.statuses: dict[str, JsonObj] = {}
        self.offsets: dict[str, list[JsonObj]] = {}
        self.topics: dict[str, list[str]] = {}
        self.leader_url: str | None = None  # set: behave as a follower whose leader is there
        self.follower_without_leader = False
        self.rebalance_pending = False
        self.delay = 0.0
        self.signing_key: bytes | None = None
        self.signature_required = False
        self.stage: str | None = None
        self.calls: list[tuple[str, Any]] = []
        self.received_task_configs: dict[str, list[dict[str, str]]] = {}
        self.cluster_logger_levels: list[tuple[str, str]] = []
        self.fenced: list[str] = []

    # --- helpers ---------------------------------------------------------------------------------
    async def _leader_op(self, what: str, arg: Any = None) -> None:
        self.calls.append((what, arg))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.rebalance_pending:
            raise RebalanceNeededException("Request cannot be completed because a rebalance is expected")
        if self.follower_without_leader:
            raise NotLeaderException("not the leader", None)
        if self.leader_url is not None:
            raise NotLeaderException("not the leader", self.leader_url)

    def _require(self, name: str) -> dict[str, str]:
        if name not in self.configs:
            raise NotFoundException(f"Connector {name} not found")
        return self.configs[name]

    def _type(self, config: dict[str, str] | None) -> str:
        if not config or "connector.class" not in config:
            return "unknown"
        desc = self.plugins.find(config["connector.class"])
        return desc.kind if desc is not None and desc.kind in ("sink", "source") else "unknown"

    def _validate(self, config: dict[str, Any]) -> list[str]:
        errors = []
        for key, value in config.items():
            if value is None:
                errors.append(f"Null value can not be supplied as the configuration value. ({key})")
        if not config.get("name"):
            errors.append('Missing required configuration "name" which has no default value.')
        if self._type(config) == "sink" and not config.get("topics") and not config.get("topics.regex"):
            errors.append("Must configure one of topics or topics.regex")
        return errors

    def _write_status(self, name: str) -> None:
        state = {"STARTED": "RUNNING", "PAUSED": "PAUSED", "STOPPED": "STOPPED"}[self.targets[name].value]
        tasks = [{"id": i, "state": state, "worker_id": self.worker_id} for i in range(self.task_counts[name])]
        self.statuses[name] = {
            "name": name,
            "connector": {"state": state, "worker_id": self.worker_id},
            "tasks": tasks,
            "type": self._type(self.configs.get(name)),
        }

    # --- lifecycle ---------------------------------------------------------------------------------
    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def kafka_cluster_id(self) -> str:
        return "FakeClusterId0000000000"

    def health(self) -> tuple[int, WorkerStatus]:
        return 200, WorkerStatus("healthy", "Worker has completed startup and is ready to handle requests.")

    def stage_summary(self) -> str | None:
        return self.stage

    def requires_request_signature(self) -> bool:
        return self.signature_required

    def session_key(self) -> SessionKey | None:
        return None if self.signing_key is None else SessionKey(self.signing_key, "HmacSHA256", 0)

    # --- connectors --------------------------------------------------------------------------------
    async def connectors(self) -> list[str]:
        return list(self.configs)

    def _info(self, name: str) -> ConnectorInfo:
        config = self._require(name)
        tasks = [ConnectorTaskId(name, i) for i in range(self.task_counts[name])]
        return ConnectorInfo(name, dict(config), tasks, self._type(config))

    async def connector_info(self, name: str) -> ConnectorInfo:
        if self.rebalance_pending:
            raise RebalanceNeededException("Request cannot be completed because a rebalance is expected")
        return self._info(name)

    async def connector_config(self, name: str) -> dict[str, str]:
        if self.rebalance_pending:
            raise RebalanceNeededException("Request cannot be completed because a rebalance is expected")
        return dict(self._require(name))

    async def put_connector_config(
        self, name: str, config: dict[str, str], *, allow_replace: bool, initial_state: TargetState | None = None
    ) -> tuple[bool, ConnectorInfo]:
        if "connector.class" not in config:
            raise BadRequestException("Connector config contains no connector type")
        errors = self._validate(config)
        if errors:
            raise BadRequestException(
                f"Connector configuration is invalid and contains the following {len(errors)} error(s):\n"
                + "\n".join(errors)
                + "\nYou can also find the above list of errors at the endpoint "
                "`/connector-plugins/{connectorType}/config/validate`"
            )
        await self._leader_op("put_connector_config", (name, dict(config), allow_replace, initial_state))
        created = name not in self.configs
        if not created and not allow_replace:
            raise AlreadyExistsException(f"Connector {name} already exists")
        self.configs[name] = dict(config)
        if created:
            self.targets[name] = initial_state or TargetState.STARTED
        self.task_counts[name] = 0 if self.targets[name] is TargetState.STOPPED else int(config.get("tasks.max", "1"))
        self._write_status(name)
        return created, ConnectorInfo(name, dict(config), [], self._type(config))

    async def patch_connector_config(self, name: str, patch: dict[str, str | None]) -> ConnectorInfo:
        await self._leader_op("patch_connector_config", (name, dict(patch)))
        merged = dict(self._require(name))
        for key, value in patch.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        await self.put_connector_config(name, merged, allow_replace=True)
        return self._info(name)

    async def delete_connector(self, name: str) -> None:
        await self._leader_op("delete_connector", name)
        self._require(name)
        for store in (self.configs, self.targets, self.task_counts, self.statuses):
            store.pop(name, None)

    async def connector_status(self, name: str) -> ConnectorStateInfo:
        if name not in self.statuses:
            raise NotFoundException(f"No status found for connector {name}")
        return _state_info(self.statuses[name])

    async def task_status(self, task: ConnectorTaskId) -> TaskState:
        status = self.statuses.get(task.connector)
        for t in status["tasks"] if status else []:
            if t["id"] == task.task:
                return _task_state(t)
        raise NotFoundException(f"No status found for task {task}")

    async def task_configs(self, name: str) -> list[TaskInfo]:
        config = self._require(name)
        return [
            TaskInfo(ConnectorTaskId(name, i), {"task.class": "Fake", **config}) for i in range(self.task_counts[name])
        ]

    async def restart_connector(self, request: RestartRequest) -> ConnectorStateInfo | None:
        await self._leader_op("restart_connector", request)
        if request.connector not in self.configs:
            raise NotFoundException(f"Unknown connector: {request.connector}")
        if not request.include_tasks and not request.only_failed:
            return None
        status = self.statuses[request.connector]
        plan = {**status, "connector": {**status["connector"]}, "tasks": [dict(t) for t in status["tasks"]]}
        if not request.only_failed or plan["connector"]["state"] == "FAILED":
            plan["connector"]["state"] = "RESTARTING"
        if request.include_tasks:
            for t in plan["tasks"]:
                if not request.only_failed or t["state"] == "FAILED":
                    t["state"] = "RESTARTING"
        return _state_info(plan)

    async def restart_task(self, task: ConnectorTaskId) -> None:
        await self._leader_op("restart_task", task)
        if task.connector not in self.configs:
            raise NotFoundException(f"Unknown connector: {task.connector}")
        if not 0 <= task.task < self.task_counts[task.connector]:
            raise NotFoundException(f"Unknown task: {task}")

    async def pause_connector(self, name: str) -> None:
        if name not in self.configs:
            raise NotFoundException(f"Unknown connector {name}")
        self.targets[name] = TargetState.PAUSED
        self._write_status(name)

    async def resume_connector(self, name: str) -> None:
        if name not in self.configs:
            raise NotFoundException(f"Unknown connector {name}")
        if self.targets[name] is TargetState.STOPPED:
            self.task_counts[name] = int(self.configs[name].get("tasks.max", "1"))
        self.targets[name] = TargetState.STARTED
        self._write_status(name)

    async def stop_connector(self, name: str) -> None:
        await self._leader_op("stop_connector", name)
        if name not in self.configs:
            raise NotFoundException(f"Unknown connector {name}")
        self.targets[name] = TargetState.STOPPED
        self.task_counts[name] = 0
        self._write_status(name)

    async def active_topics(self, name: str) -> list[str]:
        return list(self.topics.get(name, []))

    async def reset_active_topics(self, name: str) -> None:
        self.topics.pop(name, None)

    # --- offsets -----------------------------------------------------------------------------------
    async def connector_offsets(self, name: str) -> ConnectorOffsets:
        self._require(name)
        return ConnectorOffsets([ConnectorOffset(o["partition"], o["offset"]) for o in self.offsets.get(name, [])])

    async def alter_connector_offsets(self, name: str, offsets: list[JsonObj]) -> Message:
        await self._leader_op("alter_connector_offsets", (name, offsets))
        self._require(name)
        if self.targets[name] is not TargetState.STOPPED:
            raise BadRequestException(
                "Connectors must be in the STOPPED state before their offsets can be modified. This can be done "
                f"for the specified connector by issuing a 'PUT' request to the '/connectors/{name}/stop' endpoint"
            )
        self.offsets[name] = [o for o in offsets if o["offset"] is not None]
        return Message("The offsets for this connector have been altered successfully")

    async def reset_connector_offsets(self, name: str) -> Message:
        await self._leader_op("reset_connector_offsets", name)
        self._require(name)
        self.offsets.pop(name, None)
        return Message("The offsets for this connector have been reset successfully")

    # --- validation and plugins ------------------------------------------------------------------------
    async def validate_connector_config(self, config: dict[str, Any]) -> JsonObj:
        if self.delay:
            await asyncio.sleep(self.delay)
        if "connector.class" not in config or config["connector.class"] is None:
            raise BadRequestException("Connector config contains no connector type")
        if "fail.validate" in config:
            raise RuntimeError(config["fail.validate"])
        errors = self._validate(config)
        return {
            "name": config["connector.class"],
            "error_count": len(errors),
            "groups": ["Common"],
            "configs": [
                {
                    "definition": None,
                    "value": {"name": k, "value": v, "recommended_values": [], "errors": [], "visible": True},
                }
                for k, v in config.items()
            ],
        }

    def connector_plugin_config(self, plugin: str) -> list[JsonObj]:
        desc = self.plugins.find(plugin)
        if desc is None:
            raise NotFoundException(f"Unknown plugin {plugin}.")
        return [
            {
                "name": "topics",
                "type": "LIST",
                "required": False,
                "default_value": "",
                "importance": "HIGH",
                "documentation": "Topics",
                "group": "Common",
                "order_in_group": 4,
                "width": "LONG",
                "display_name": "Topics",
                "dependents": [],
            }
        ]

    # --- internal -------------------------------------------------------------------------------------
    async def put_task_configs(self, name: str, configs: list[dict[str, str]], signature: Any = None) -> None:
        await self._leader_op("put_task_configs", (name, configs))
        self._require(name)
        self.received_task_configs[name] = configs

    async def fence_zombie_source_tasks(self, name: str, signature: Any = None) -> None:
        await self._leader_op("fence", name)
        if self._type(self._require(name)) != "source":
            raise BadRequestException(f"Connector {name} is not a source connector")
        self.fenced.append(name)

    async def set_cluster_logger_level(self, namespace: str, level: str) -> None:
        self.cluster_logger_levels.append((namespace, level))

    def rest_url(self) -> str | None:
        return None


def _task_state(t: JsonObj) -> TaskState:
    return TaskState(t["id"], State(t["state"]), t["worker_id"], t.get("trace"), t.get("version"))


def _state_info(status: JsonObj) -> ConnectorStateInfo:
    """The typed answer of a status kept as JSON (tests edit these dicts directly)."""
    conn = status["connector"]
    return ConnectorStateInfo(
        status["name"],
        ConnectorState(State(conn["state"]), conn["worker_id"], conn.get("trace"), conn.get("version")),
        [_task_state(t) for t in status["tasks"]],
        status["type"],
    )
