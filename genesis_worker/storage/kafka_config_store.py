"""The config topic (Java ``KafkaConfigBackingStore``), record formats and reading/writing rules of
internal-topics spec §5.

Record codecs are module functions (``connector_config_record`` ...) so they can be tested byte by
byte; :class:`ConfigState` applies records in topic order (pure, no I/O); :class:`KafkaConfigStore`
binds both to a :class:`KafkaBasedLog`.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import logging
from collections.abc import Mapping
from typing import Any

from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.session_key import SessionKey
from genesis_worker.model.states import RestartRequest, TargetState
from genesis_worker.storage.base import ClusterConfigState, ConfigBackingStore, ConfigUpdateListener
from genesis_worker.storage.kafka_log import KafkaBasedLog, LogRecord, TopicSpec
from genesis_worker.storage.kafka_serde import java_json, loads

log = logging.getLogger(__name__)

READ_WRITE_TOTAL_TIMEOUT_S = 30.0

Record = tuple[bytes, bytes | None]


# ------------------------------------------------------------------------------------ record codecs


def _k(s: str) -> bytes:
    return s.encode("utf-8")


def connector_config_record(connector: str, config: Mapping[str, str | None] | None) -> Record:
    value = None if config is None else java_json({"properties": dict(config)})
    return _k(f"connector-{connector}"), value


def task_config_record(task: ConnectorTaskId, config: Mapping[str, str | None]) -> Record:
    return _k(f"task-{task.connector}-{task.task}"), java_json({"properties": dict(config)})


def commit_record(connector: str, tasks: int) -> Record:
    return _k(f"commit-{connector}"), java_json({"tasks": tasks})


def target_state_record(connector: str, state: TargetState | None) -> Record:
    if state is None:
        return _k(f"target-state-{connector}"), None
    v1 = "PAUSED" if state is TargetState.STOPPED else state.value
    return _k(f"target-state-{connector}"), java_json({"state": v1, "state.v2": state.value})


def session_key_record(key: SessionKey) -> Record:
    value = {
        "key": base64.b64encode(key.key).decode("ascii"),
        "algorithm": key.algorithm,
        "creation-timestamp": key.creation_timestamp,
    }
    return b"session-key", java_json(value)


def restart_request_record(request: RestartRequest) -> Record:
    value = {"include-tasks": request.include_tasks, "only-failed": request.only_failed}
    return _k(f"restart-connector-{request.connector}"), java_json(value)


def task_count_record(connector: str, task_count: int) -> Record:
    return _k(f"tasks-fencing-{connector}"), java_json({"task-count": task_count})


def logger_level_record(namespace: str, level: str) -> Record:
    return _k(f"logger-cluster-{namespace}"), java_json({"level": level})


# -------------------------------------------------------------------------------------- reading


def _properties(value: Any) -> dict[str, str | None] | None:
    if not isinstance(value, dict):
        return None
    props = value.get("properties")
    if not isinstance(props, dict):
        return None
    return {str(k): (None if v is None else str(v)) for k, v in props.items()}


class ConfigState:
    """Applies config-topic records in order (spec §5.2) and notifies its listeners."""

    def __init__(self) -> None:
        self.state = ClusterConfigState()
        self.deferred: dict[str, dict[ConnectorTaskId, dict[str, str | None]]] = {}
        self.started = False
        self.listeners: list[ConfigUpdateListener] = []

    def snapshot(self) -> ClusterConfigState:
        return copy.deepcopy(self.state)

    def apply(self, offset: int, key: bytes | None, value: bytes | None) -> None:
        try:
            self._apply(key.decode("utf-8") if key is not None else "", value)
        except Exception:
            log.exception("ignoring bad config record at offset %s key %r", offset, key)
        self.state.offset = offset + 1

    def _notify(self, name: str, *args: Any) -> None:
        if not self.started:
            return
        for listener in self.listeners:
            try:
                getattr(listener, name)(*args)
            except Exception:
                log.exception("config update listener %s failed", name)

    def _parse(self, key: str, value: bytes) -> Any | None:
        try:
            return loads(value)
        except Exception:
            log.error("failed to parse value of config record %s", key)
            return None

    def _apply(self, key: str, value: bytes | None) -> None:
        st = self.state
        parsed = None if value is None else self._parse(key, value)
        if value is not None and parsed is None:
            return
        if key.startswith("target-state-"):
            name = key[len("target-state-") :]
            old = st.target_states.get(name)
            if value is None:
                st.target_states.pop(name, None)
                if name in st.connector_configs:
                    st.target_states[name] = TargetState.STARTED
            else:
                if not isinstance(parsed, dict):
                    return
                raw = parsed.get("state.v2")
                if not isinstance(raw, str):
                    raw = parsed.get("state")
                try:
                    st.target_states[name] = TargetState(raw)
                except ValueError:
                    log.error("invalid target state %r for connector %s", raw, name)
                    return
            if name in st.connector_configs and st.target_states.get(name) != old:
                self._notify("on_connector_target_state_change", name)
        elif key.startswith("connector-"):
            name = key[len("connector-") :]
            if value is None:
                existed = name in st.connector_configs
                st.connector_configs.pop(name, None)
                st.task_counts.pop(name, None)
                for t in [t for t in st.task_configs if t.connector == name]:
                    del st.task_configs[t]
                self.deferred.pop(name, None)
                st.applied_connector_configs.pop(name, None)
                st.inconsistent.discard(name)
                if existed:
                    self._notify("on_connector_config_remove", name)
                return
            props = _properties(parsed)
            if props is None:
                log.error("invalid connector config record %s", key)
                return
            st.connector_configs[name] = props
            st.target_states.setdefault(name, TargetState.STARTED)
            self._notify("on_connector_config_update", name)
        elif key.startswith("task-"):
            rest = key[len("task-") :]
            name, sep, num = rest.rpartition("-")
            if not sep:
                log.error("invalid task config key %s", key)
                return
            try:
                task = ConnectorTaskId(name, int(num))
            except ValueError:
                log.error("invalid task id in key %s", key)
                return
            if value is None:
                log.error("ignoring null task config %s", key)
                return
            props = _properties(parsed)
            if props is None:
                log.error("invalid task config record %s", key)
                return
            self.deferred.setdefault(name, {})[task] = props
        elif key.startswith("commit-"):
            name = key[len("commit-") :]
            if not isinstance(parsed, dict) or not isinstance(parsed.get("tasks"), int):
                log.error("invalid commit record %s", key)
                return
            count = int(parsed["tasks"])
            deferred = self.deferred.pop(name, {})
            if name not in st.connector_configs:
                log.debug("ignoring commit for unknown connector %s", name)
                return
            ids = {t.task for t in deferred}
            applied: list[ConnectorTaskId] = []
            if all(i in ids for i in range(count)):
                for t in [t for t in st.task_configs if t.connector == name]:
                    del st.task_configs[t]
                st.task_configs.update(deferred)
                applied = sorted(deferred)
                st.task_config_generations[name] = st.task_config_generations.get(name, 0) + 1
                st.inconsistent.discard(name)
                st.applied_connector_configs[name] = dict(st.connector_configs[name])
            else:
                log.error("incomplete task config set for %s (need %s, got %s): ignored", name, count, sorted(ids))
                st.inconsistent.add(name)
            st.task_counts[name] = count
            st.connectors_pending_fencing.add(name)
            self._notify("on_task_config_update", applied)
        elif key.startswith("restart-connector-"):
            name = key[len("restart-connector-") :]
            if not isinstance(parsed, dict):
                return
            inc = parsed.get("include-tasks")
            only = parsed.get("only-failed")
            req = RestartRequest(name, only_failed=only is True, include_tasks=inc is True)
            self._notify("on_restart_request", req)
        elif key.startswith("tasks-fencing-"):
            name = key[len("tasks-fencing-") :]
            if not isinstance(parsed, dict) or not isinstance(parsed.get("task-count"), int):
                log.error("invalid task count record %s", key)
                return
            st.task_count_records[name] = int(parsed["task-count"])
            st.connectors_pending_fencing.discard(name)
        elif key == "session-key":
            if not isinstance(parsed, dict):
                return
            ts = parsed.get("creation-timestamp")
            if not isinstance(ts, int) or not isinstance(parsed.get("key"), str):
                log.error("invalid session key record")
                return
            st.session_key = SessionKey(base64.b64decode(parsed["key"]), str(parsed.get("algorithm", "HmacSHA256")), ts)
            self._notify("on_session_key_update", st.session_key)
        elif key.startswith("logger-cluster-"):
            ns = key[len("logger-cluster-") :]
            if isinstance(parsed, dict) and isinstance(parsed.get("level"), str):
                st.logger_levels[ns] = parsed["level"]
                self._notify("on_logger_level", ns, parsed["level"])
        else:
            log.error("discarding config update record with invalid key %s", key)


# --------------------------------------------------------------------------------------- store


class KafkaConfigStore(ConfigBackingStore):
    """Usage::

    store = KafkaConfigStore("connect-configs", {"bootstrap.servers": b}, replication_factor=1)
    await store.start()
    await store.put_connector_config("c", {"connector.class": "X", "name": "c"})
    store.snapshot().connector_configs["c"]
    """

    def __init__(
        self,
        topic: str,
        client_config: Mapping[str, Any],
        *,
        replication_factor: int = 3,
        topic_config: Mapping[str, str] | None = None,
        client_id: str | None = None,
        read_committed: bool = False,
    ) -> None:
        self._state = ConfigState()
        self._log = KafkaBasedLog(
            topic,
            client_config,
            self._on_record,
            spec=TopicSpec(
                partitions=1,
                replication_factor=replication_factor,
                config=topic_config,
                config_key="config.storage.topic",
                purpose="connector configurations",
                exact_partitions=1,
            ),
            client_id=client_id,
            read_committed=read_committed,
        )

    def _on_record(self, rec: LogRecord) -> None:
        self._state.apply(rec.offset, rec.key, rec.value)

    async def start(self) -> None:
        await self._log.start()
        self._state.started = True

    async def stop(self) -> None:
        await self._log.stop()

    def snapshot(self) -> ClusterConfigState:
        return self._state.snapshot()

    @property
    def state(self) -> ClusterConfigState:
        """The live state (read-only by convention; :meth:`snapshot` gives a copy)."""
        return self._state.state

    @property
    def offset(self) -> int:
        return self._state.state.offset

    def add_listener(self, listener: ConfigUpdateListener) -> None:
        self._state.listeners.append(listener)

    async def refresh(self) -> None:
        await asyncio.wait_for(self._log.read_to_end(), READ_WRITE_TOTAL_TIMEOUT_S)

    async def _write(self, records: list[Record], *, read_to_end: bool = True) -> None:
        futs = [self._log.send_nowait(k, v) for k, v in records]
        written = await asyncio.wait_for(asyncio.gather(*futs), READ_WRITE_TOTAL_TIMEOUT_S)
        if read_to_end:  # the herder's view includes its own write (and everything before it)
            await asyncio.wait_for(self._log.read_through(list(written)), READ_WRITE_TOTAL_TIMEOUT_S)

    async def put_connector_config(
        self, connector: str, config: Mapping[str, str | None], target_state: TargetState | None = None
    ) -> None:
        records = []
        if target_state is not None:
            records.append(target_state_record(connector, target_state))
        records.append(connector_config_record(connector, config))
        await self._write(records)

    async def remove_connector_config(self, connector: str) -> None:
        await self._write([connector_config_record(connector, None), target_state_record(connector, None)])

    async def put_task_configs(self, connector: str, configs: list[Mapping[str, str | None]]) -> None:
        # as Java: catch up on lagging records before writing (the leader is the only writer of these);
        # the write itself is then read back exactly by its acked offsets
        await asyncio.wait_for(self._log.read_to_end(confirm_end=False), READ_WRITE_TOTAL_TIMEOUT_S)
        records = [task_config_record(ConnectorTaskId(connector, i), c) for i, c in enumerate(configs)]
        # one partition, one producer, acks in order: the commit record lands after the task records
        await self._write([*records, commit_record(connector, len(configs))])

    async def stop_connector(self, connector: str) -> None:
        """Task configs with N = 0, then target state STOPPED (spec §5.3)."""
        await self._write([commit_record(connector, 0)], read_to_end=False)
        await self._write([target_state_record(connector, TargetState.STOPPED)])

    async def put_target_state(self, connector: str, state: TargetState) -> None:
        await self._write([target_state_record(connector, state)], read_to_end=False)

    async def put_session_key(self, key: SessionKey) -> None:
        await self._write([session_key_record(key)])

    async def put_restart_request(self, request: RestartRequest) -> None:
        await self._write([restart_request_record(request)])

    async def put_task_count_record(self, connector: str, task_count: int) -> None:
        await self._write([task_count_record(connector, task_count)])

    async def put_logger_level(self, namespace: str, level: str) -> None:
        await self._write([logger_level_record(namespace, level)], read_to_end=False)
