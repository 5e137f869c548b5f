"""The Worker: runs connector instances on this process's event loop and each task on its own thread.

The herder decides *what* runs; the worker starts and stops it, isolates failures (a connector or
task that raises is reported FAILED with its trace; a task that blocks its thread's loop is failed and
abandoned by the watchdog, see ``task_thread``; nothing else is affected), builds each task's
clients, converters, transform chain and error handling, and reports state changes through a
:class:`WorkerStatusListener`.

Example::

    worker = Worker(worker_config, registry, offset_store, listener)
    await worker.start_connector("c", props, TargetState.STARTED, on_reconfigure)
    for i, cfg in enumerate(worker.connector_task_configs("c")):
        await worker.start_task(ConnectorTaskId("c", i), props, cfg, TargetState.STARTED)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from genesis_worker.api.connector import Connector, ConnectorContext, SinkConnector, SourceConnector
from genesis_worker.api.errors import ConnectException
from genesis_worker.api.task import SinkTask, SourceTask, Task
from genesis_worker.api.transform import Converter, HeaderConverter
from genesis_worker.config.providers import reverse_transform
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.metrics.registry import WorkerMetrics
from genesis_worker.model.ids import ConnectorTaskId
from genesis_worker.model.states import State, TargetState
from genesis_worker.plugins.registry import PluginRegistry
from genesis_worker.plugins.versions import InvalidVersionSpecification, unmet_requirement
from genesis_worker.runtime.config_reload import ConfigReloads, restarts_on_reload
from genesis_worker.runtime.connector_config import (
    ConnectorConfig,
    ConverterConfig,
    SinkConnectorConfig,
    SourceConnectorConfig,
    parse_connector_config,
)
from genesis_worker.runtime.connector_config_def import (
    ADMIN_OVERRIDES_PREFIX,
    CONNECTOR_CLASS_CONFIG,
    CONNECTOR_VERSION_CONFIG,
    OFFSETS_TOPIC_CONFIG,
    TOPICS_CONFIG,
    TOPICS_REGEX_CONFIG,
)
from genesis_worker.runtime.converters.header_adapters import header_converter_for
from genesis_worker.runtime.errors import (
    ErrorReporter,
    LogReporter,
    RetryWithToleranceOperator,
    stack_trace,
)
from genesis_worker.runtime.executor.pool import ExecutorPool, RemoteTask
from genesis_worker.runtime.sink_task import DEFAULT_MAX_POLL_RECORDS, WorkerSinkTask
from genesis_worker.runtime.sink_task import MAX_INFLIGHT_RECORDS_CONFIG as SINK_MAX_INFLIGHT_RECORDS_CONFIG
from genesis_worker.runtime.source_offset_stores import SourceOffsetStores, uses_connector_offsets_topic
from genesis_worker.runtime.source_task import MAX_INFLIGHT_BYTES_CONFIG, MAX_INFLIGHT_RECORDS_CONFIG, WorkerSourceTask
from genesis_worker.runtime.task_base import TaskStatusListener, WorkerTask
from genesis_worker.runtime.task_clients import TaskClients
from genesis_worker.runtime.task_thread import (
    BLOCKED_TIMEOUT_CONFIG,
    CANCEL_WAIT_S,
    ControlPlane,
    TaskThread,
    TaskWatchdog,
    call_in_loop,
)
from genesis_worker.runtime.topic_creation import TopicCreator
from genesis_worker.runtime.transformation_chain import build_transformation_chain
from genesis_worker.storage.base import OffsetBackingStore
from genesis_worker.storage.connector_offset_store import ConnectorOffsetBackingStore

log = logging.getLogger(__name__)

CONNECTOR_GRACEFUL_SHUTDOWN_TIMEOUT_S = 5.0
TASK_CLASS_CONFIG = "task.class"


class TooManyTasksException(ConnectException):
    """The connector generated (or has) more task configs than ``tasks.max``."""


class WorkerStatusListener(TaskStatusListener, Protocol):
    def on_connector_state(self, connector: str, state: State, trace: str | None = None) -> None: ...


def task_class_name(cls: type) -> str:
    """The ``task.class`` written into task configs: the Java name if the task declares one."""
    name = getattr(cls, "java_class_name", None)
    return str(name) if name else f"{cls.__module__}.{cls.__qualname__}"


def _strip(props: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix) :]: v for k, v in props.items() if k.startswith(prefix) and v is not None}


def _check_version(plugin: Any, spec: Any) -> None:
    """KIP-891: a ``*.plugin.version`` requirement the installed plugin does not meet fails the start."""
    if spec is None:
        return
    try:
        unmet = unmet_requirement(str(spec), type(plugin).class_name(), plugin.version())
    except InvalidVersionSpecification as e:
        raise ConnectException(f"Invalid plugin version requirement {spec!r}: {e}") from e
    if unmet is not None:
        raise ConnectException(unmet)


class _ConnectorContext(ConnectorContext):
    def __init__(self, worker: Worker, name: str) -> None:
        self.worker = worker
        self.name = name
        self.loop = asyncio.get_running_loop()

    def request_task_reconfiguration(self) -> None:
        call_in_loop(self.loop, self._reconfigure)  # callable from any thread the connector starts

    def _reconfigure(self) -> None:
        wc = self.worker.connectors.get(self.name)
        if wc is not None and wc.on_reconfigure is not None:
            wc.on_reconfigure(self.name)

    def raise_error(self, error: BaseException) -> None:
        call_in_loop(self.loop, self._fail, error)

    def _fail(self, error: BaseException) -> None:
        wc = self.worker.connectors.get(self.name)
        if wc is not None:
            wc.fail(error)


@dataclass
class WorkerConnector:
    """A connector instance and its reported state on this worker."""

    name: str
    props: dict[str, str]  # resolved: what Connector.start() receives
    connector: Connector
    listener: WorkerStatusListener
    on_reconfigure: Callable[[str], None] | None = None
    target_state: TargetState = TargetState.STARTED
    started: bool = False
    state: State = State.UNASSIGNED
    error: BaseException | None = field(default=None, repr=False)
    raw_props: dict[str, str] | None = None  # as stored, placeholders unresolved (None: same as props)
    config: ConnectorConfig | None = None  # parsed; None when the connector failed before parsing

    @property
    def is_sink(self) -> bool:
        return isinstance(self.connector, SinkConnector)

    def report(self, state: State, trace: str | None = None) -> None:
        self.state = state
        try:
            self.listener.on_connector_state(self.name, state, trace)
        except Exception as e:
            log.warning("Status listener failed for connector %s: %s", self.name, e)

    def fail(self, error: BaseException) -> None:
        log.error("[%s] Connector failed", self.name, exc_info=error)
        self.error = error
        self.report(State.FAILED, stack_trace(error))

    async def transition(self, target: TargetState) -> None:
        self.target_state = target
        if self.state is State.FAILED:
            if target is TargetState.STOPPED:
                await self._stop_instance()
                self.report(State.STOPPED)
            return
        if target is TargetState.STARTED:
            if not self.started:
                try:
                    await self.connector.start(dict(self.props))
                except Exception as e:
                    self.fail(e)
                    return
                self.started = True
            self.report(State.RUNNING)
        else:
            await self._stop_instance()
            self.report(State.PAUSED if target is TargetState.PAUSED else State.STOPPED)

    async def _stop_instance(self) -> None:
        if not self.started:
            return
        self.started = False
        try:
            await asyncio.wait_for(self.connector.stop(), CONNECTOR_GRACEFUL_SHUTDOWN_TIMEOUT_S)
        except Exception as e:
            log.error("[%s] Error while stopping connector: %s", self.name, e)

    async def shutdown(self) -> None:
        await self._stop_instance()


class Worker:
    """Runs connectors and tasks assigned to this process."""

    def __init__(
        self,
        config: WorkerConfig,
        registry: PluginRegistry,
        offset_store: OffsetBackingStore,
        listener: WorkerStatusListener,
        worker_id: str | None = None,
        on_config_reload: Callable[[str], None] | None = None,
        executors: bool = True,
    ) -> None:
        self.config = config
        self.registry = registry
        self.offset_store = offset_store
        self.source_offsets = SourceOffsetStores(config, offset_store)
        self.listener = listener
        self.worker_id = worker_id or config.worker_id
        self.connectors: dict[str, WorkerConnector] = {}
        self.tasks: dict[ConnectorTaskId, TaskThread | RemoteTask] = {}
        self.watchdog = TaskWatchdog(
            lambda: (t for t in self.tasks.values() if isinstance(t, TaskThread)),
            lambda t, s, tr: self.listener.on_task_state(t, s, tr),
        )
        # executor processes (genesis.task.processes, genesis.task.isolation); None inside an executor
        self.executors = ExecutorPool(config, listener, offset_store, self.worker_id) if executors else None
        self.metrics = WorkerMetrics(self.worker_id, connectors=self.connectors)
        self.reloads = ConfigReloads(on_config_reload)  # KIP-421: the herder's restart of a connector
        self.clients = TaskClients(config)

    # --- plugins ------------------------------------------------------------------------------------

    def new_connector(self, class_name: str) -> Connector:
        return cast(Connector, self.registry.new_instance(class_name, ("sink", "source")))

    def is_sink(self, class_name: str) -> bool:
        return self.registry.resolve(class_name, ("sink", "source")).kind == "sink"

    def _converter(self, spec: ConverterConfig) -> Converter | HeaderConverter:
        if spec.class_name is not None:
            name, configs = spec.class_name, dict(spec.configs)
        else:
            name, configs = self.config.default_converter(spec.role)
        if spec.role == "header":
            desc = self.registry.find(name)
            if desc is not None and desc.kind == "header_converter":
                hc = cast(HeaderConverter, desc.cls())
                _check_version(hc, spec.version)
            else:
                # Java accepts JsonConverter, StringConverter... as header converters too
                adapted = header_converter_for(name)
                if adapted is None:
                    raise ConnectException(
                        f"Failed to find any class that implements HeaderConverter and which name matches {name}"
                    )
                hc = adapted
            configs["converter.type"] = "header"
            hc.configure(configs)
            return hc
        conv = cast(Converter, self.registry.new_instance(name, ("converter",)))
        _check_version(conv, spec.version)
        configs["converter.type"] = spec.role
        conv.configure(configs, spec.role == "key")
        return conv

    def _parse(self, props: Mapping[str, str]) -> ConnectorConfig:
        """The boundary: a resolved connector config parsed once into its typed form."""
        return parse_connector_config(self.registry, props, topic_creation_enabled=self.config.topic_creation_enable)

    # --- connectors ---------------------------------------------------------------------------------

    async def start_connector(
        self,
        name: str,
        props: Mapping[str, str],
        target_state: TargetState,
        on_reconfigure: Callable[[str], None] | None = None,
    ) -> bool:
        """Instantiate, initialise and (if STARTED) start a connector; False if it failed."""
        ok = await self._start_connector(name, props, target_state, on_reconfigure)
        self.metrics.startups.connector(ok)
        return ok

    async def _start_connector(
        self,
        name: str,
        props: Mapping[str, str],
        target_state: TargetState,
        on_reconfigure: Callable[[str], None] | None,
    ) -> bool:
        if name in self.connectors:
            raise ConnectException(f"Connector with name {name} already exists")
        try:
            connector = self.new_connector(str(props.get(CONNECTOR_CLASS_CONFIG, "")))
            _check_version(connector, props.get(CONNECTOR_VERSION_CONFIG))
        except Exception as e:
            wc = WorkerConnector(name, dict(props), _FailedConnector(), self.listener, on_reconfigure)
            self.connectors[name] = wc
            wc.fail(e)
            return False
        try:
            result = self.config.resolve_connector_config(props)
            if restarts_on_reload(props):
                self.reloads.schedule(name, result.ttls, stopped=target_state is TargetState.STOPPED)
            resolved = result.data
            config = self._parse(resolved)
        except Exception as e:
            wc = WorkerConnector(name, dict(props), connector, self.listener, on_reconfigure)
            self.connectors[name] = wc
            wc.fail(e)
            return False
        wc = WorkerConnector(
            name, resolved, connector, self.listener, on_reconfigure, raw_props=dict(props), config=config
        )
        self.connectors[name] = wc
        try:
            connector.initialize(_ConnectorContext(self, name))
        except Exception as e:
            wc.fail(e)
            return False
        await wc.transition(target_state)
        return wc.state is not State.FAILED

    async def stop_connector(self, name: str) -> None:
        self.reloads.cancel(name)
        wc = self.connectors.pop(name, None)
        if wc is None:
            return
        await wc.shutdown()
        wc.report(State.UNASSIGNED)

    async def set_target_state(self, name: str, target: TargetState) -> None:
        wc = self.connectors.get(name)
        if wc is not None:
            self.reloads.set_stopped(name, target is TargetState.STOPPED)
            await wc.transition(target)
        for tid, tt in self.tasks.items():
            if tid.connector == name and target is not TargetState.STOPPED:
                tt.transition_to(target)

    def connector_running(self, name: str) -> bool:
        wc = self.connectors.get(name)
        return wc is not None and wc.state is State.RUNNING

    def connector_task_configs(self, name: str) -> list[dict[str, str]]:
        """Call ``task_configs(tasks.max)``; add ``task.class`` and (sinks) ``topics``/``topics.regex``."""
        wc = self.connectors[name]
        if wc.config is None:
            raise ConnectException("connector failed to load")
        max_tasks = wc.config.tasks_max
        configs = wc.connector.task_configs(max_tasks)
        if len(configs) > max_tasks:
            msg = (
                f"The connector {name} has generated {len(configs)} tasks, which is greater than {max_tasks}, "
                "the maximum number of tasks it is configured to create. "
            )
            if wc.config.tasks_max_enforce:
                raise TooManyTasksException(msg)
            log.warning(msg + "This behaviour is deprecated and will be removed in a future release.")
        out = []
        tcls = task_class_name(wc.connector.task_class())
        for cfg in configs:
            c = dict(cfg)
            c[TASK_CLASS_CONFIG] = tcls
            if wc.is_sink:  # as given (Connect copies the originals' strings)
                for k in (TOPICS_CONFIG, TOPICS_REGEX_CONFIG):
                    if wc.props.get(k) is not None:
                        c[k] = wc.props[k]
            out.append(c)
        # the connector saw resolved values; what is stored keeps the placeholders (no secrets in the topic)
        return reverse_transform(wc.raw_props or wc.props, out)

    # --- tasks --------------------------------------------------------------------------------------

    async def start_task(
        self,
        task_id: ConnectorTaskId,
        connector_props: Mapping[str, str],
        task_props: Mapping[str, str],
        target_state: TargetState,
        task_count: int | None = None,
    ) -> bool:
        """Build and start a task runner; a failure to build it is reported FAILED (returns False)."""
        if task_id in self.tasks:
            raise ConnectException(f"Task already exists in this worker: {task_id}")
        if self.executors is not None and self.executors.placement(connector_props) is not None:
            return await self._start_remote_task(task_id, connector_props, task_props, target_state, task_count)
        plane = ControlPlane(asyncio.get_running_loop(), self.listener)
        try:
            blocked_ms = int(connector_props.get(BLOCKED_TIMEOUT_CONFIG) or self.config.get(BLOCKED_TIMEOUT_CONFIG))
            transform = self.config.transform_connector_config
            config = self._parse(transform(connector_props))
            runner = await self._build_task(task_id, config, transform(task_props), target_state, task_count, plane)
        except BaseException as e:
            log.error("Failed to start task %s", task_id, exc_info=e)
            self.listener.on_task_state(task_id, State.FAILED, stack_trace(e))
            self.metrics.startups.task(False)
            return False
        self.metrics.startups.task(True)
        self.metrics.register(runner.metrics)
        gauges = getattr(runner.task, "metrics", None)
        if callable(gauges):  # connector-specific gauges, e.g. a lookup table's size
            runner.metrics.extra = gauges
        tt = TaskThread(runner, plane, blocked_ms)
        self.tasks[task_id] = tt
        tt.start()
        self.watchdog.ensure_running()
        return True

    async def _start_remote_task(
        self,
        task_id: ConnectorTaskId,
        connector_props: Mapping[str, str],
        task_props: Mapping[str, str],
        target_state: TargetState,
        task_count: int | None,
    ) -> bool:
        """Start the task in an executor process (which reports its states, and FAILED if it cannot start)."""
        assert self.executors is not None
        try:
            handle = await self.executors.start_task(task_id, connector_props, task_props, target_state, task_count)
        except Exception as e:
            log.error("Failed to start task %s in an executor", task_id, exc_info=e)
            self.listener.on_task_state(task_id, State.FAILED, stack_trace(e))
            handle = None
        self.metrics.startups.task(handle is not None)
        if handle is None:
            return False
        self.metrics.register(handle.metrics)
        self.tasks[task_id] = handle
        return True

    async def _build_task(
        self,
        task_id: ConnectorTaskId,
        config: ConnectorConfig,
        task_props: dict[str, str],
        target_state: TargetState,
        task_count: int | None,
        plane: ControlPlane,
    ) -> WorkerTask:
        if config.tasks_max_enforce and task_count is not None and task_count > config.tasks_max:
            raise TooManyTasksException(
                f"The connector {task_id.connector} has generated {task_count} tasks, which is greater than "
                f"{config.tasks_max}, the maximum number of tasks it is configured to create. "
            )
        connector = self.new_connector(config.connector_class)
        task = connector.task_class()()
        kc = cast(Converter, self._converter(config.key_converter))
        vc = cast(Converter, self._converter(config.value_converter))
        hc = cast(HeaderConverter, self._converter(config.header_converter))
        chain = build_transformation_chain(self.registry, config.transforms, config.predicates)
        reporters: list[ErrorReporter] = []
        if config.errors.log_enable:
            reporters.append(LogReporter(task_id.connector, task_id.task, config.errors.log_include_messages))
        operator = RetryWithToleranceOperator.from_config(
            task_id.connector, task_id.task, config.errors, reporters=reporters
        )
        flush_ms = self.config.offset_flush_interval_ms
        # Tasks that talk to Kafka themselves (e.g. Kafka-to-Kafka sinks) default to the worker's cluster;
        # the key is only in what task.start() sees, never in the stored task configs.
        task_props = {"worker.bootstrap.servers": self.config.bootstrap_servers, **task_props}
        if isinstance(config, SinkConnectorConfig) and isinstance(connector, SinkConnector):
            assert isinstance(task, SinkTask)
            if config.dlq is not None:
                reporters.append(await self.clients.dlq_reporter(task_id, config, config.dlq))
            ccfg = self.clients.sink_consumer(task_id, config)
            return WorkerSinkTask(
                task_id,
                task,
                task_props,
                ccfg.conf,
                kc,
                vc,
                hc,
                chain,
                operator,
                plane,
                target_state,
                max_poll_records=ccfg.max_poll_records or DEFAULT_MAX_POLL_RECORDS,
                offset_flush_interval_ms=flush_ms,
                errant_reporter_enabled=config.dlq is not None or bool(reporters),
                max_inflight_records=self._task_setting(config, SINK_MAX_INFLIGHT_RECORDS_CONFIG),
            )
        if isinstance(config, SourceConnectorConfig) and isinstance(connector, SourceConnector):
            assert isinstance(task, SourceTask)
            pcfg = self.clients.source_producer(task_id, config)
            admin_conf = self.clients.admin(f"connector-adminclient-{task_id}", config.admin_overrides)
            kw: dict[str, Any] = {}
            if config.topic_creation is not None:
                kw["topic_creator"] = TopicCreator(admin_conf, config.topic_creation)
            return WorkerSourceTask(
                task_id,
                task,
                task_props,
                pcfg,
                kc,
                vc,
                hc,
                chain,
                operator,
                plane,
                plane.offset_store(self.source_offsets.for_task(task_id, config, dict(pcfg), admin_conf)),
                target_state,
                offset_flush_interval_ms=flush_ms,
                offset_flush_timeout_ms=self.config.offset_flush_timeout_ms,
                max_inflight_records=self._task_setting(config, MAX_INFLIGHT_RECORDS_CONFIG),
                max_inflight_bytes=self._task_setting(config, MAX_INFLIGHT_BYTES_CONFIG),
                **kw,
            )
        raise ConnectException(f"Connector {type(connector).__name__} is neither a sink nor a source")

    def _task_setting(self, config: ConnectorConfig, key: str) -> int:
        """A Genesis task setting: the connector's value of ``key``, else the worker's."""
        return int(config.originals.get(key) or self.config.get(key))

    def source_offset_store(self, name: str, conn: Mapping[str, Any], *, writable: bool) -> ConnectorOffsetBackingStore:
        """Source connector ``name``'s offset store (not started) from its stored config, for the offsets endpoints."""
        if not uses_connector_offsets_topic(self.config, conn.get(OFFSETS_TOPIC_CONFIG)):
            return self.source_offsets.worker_only()  # no need to parse the config
        config = self._parse(self.config.transform_connector_config(conn))
        if not isinstance(config, SourceConnectorConfig):
            raise ConnectException(f"Connector {name} is not a source connector")
        admin = self.clients.admin(f"connector-adminclient-{name}", config.admin_overrides)
        producer = None
        if writable:
            producer = self.clients.source_producer(name, config)
            producer["client.id"] = f"connector-offset-producer-{name}"
        return self.source_offsets.for_connector(name, config, producer, admin)

    def admin_config(self, client_id: str, conn: Mapping[str, Any]) -> dict[str, Any]:
        """A connector's admin client config from its stored (unresolved) config, for the herders."""
        overrides = self.config.transform_connector_config(_strip(conn, ADMIN_OVERRIDES_PREFIX))
        return self.clients.admin(client_id, overrides)

    async def stop_task(self, task_id: ConnectorTaskId) -> None:
        await self.stop_tasks([task_id])

    async def stop_tasks(self, task_ids: list[ConnectorTaskId]) -> None:
        """Signal all, then wait up to ``task.shutdown.graceful.timeout.ms`` for each; cancel the rest and
        abandon any that is still running a moment later (an abandoned task is not waited for at all)."""
        handles = [(tid, self.tasks.pop(tid)) for tid in task_ids if tid in self.tasks]
        for tid, _ in handles:
            self.metrics.unregister(tid.connector, tid.task)
        running = [(tid, tt) for tid, tt in handles if isinstance(tt, TaskThread)]
        remote = [h for _, h in handles if isinstance(h, RemoteTask)]
        for _, tt in running:
            tt.stop()
        timeout = self.config.task_shutdown_graceful_timeout_ms / 1000
        stopping_remote = None
        if remote and self.executors is not None:
            stopping_remote = asyncio.ensure_future(self.executors.stop_tasks(remote, timeout + CANCEL_WAIT_S))
        for tid, tt in running:
            done, _ = await asyncio.wait({tt.done}, timeout=timeout)
            if not done:
                log.error("Graceful stop of task %s failed.", tid)
                tt.cancel()
                await asyncio.wait({tt.done}, timeout=CANCEL_WAIT_S)
                tt.abandon()
                self.listener.on_task_state(tid, State.UNASSIGNED)
        if stopping_remote is not None:
            await stopping_remote

    def task_ids(self, connector: str | None = None) -> list[ConnectorTaskId]:
        return sorted(t for t in self.tasks if connector is None or t.connector == connector)

    def task_runner(self, task_id: ConnectorTaskId) -> WorkerTask | None:
        tt = self.tasks.get(task_id)
        return tt.runner if isinstance(tt, TaskThread) else None

    async def stop(self) -> None:
        self.reloads.close()
        await self.stop_tasks(list(self.tasks))
        await self.watchdog.stop()
        if self.executors is not None:
            await self.executors.close()
        for name in list(self.connectors):
            await self.stop_connector(name)


class _FailedConnector(Connector):
    """Placeholder for a connector whose class could not be loaded (reported FAILED)."""

    abstract_plugin = True

    def task_class(self) -> type[Task]:
        raise ConnectException("connector failed to load")

    def task_configs(self, max_tasks: int) -> list[dict[str, str]]:
        return []
