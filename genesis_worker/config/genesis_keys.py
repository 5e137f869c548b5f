"""The worker properties genesis-worker adds to Connect's (``genesis.*``): blocked-task watchdog, source
in-flight bounds, the ownership rule and the automatic restart policy. Merged into the worker's ConfigDef;
several may also be set in a connector's config (the docs of each key say which)."""

from __future__ import annotations

from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.validators import CaseInsensitiveValidString, Range, invalid_value

RESTART_ENABLED_CONFIG = "genesis.restart.enabled"
RESTART_BACKOFF_INITIAL_MS_CONFIG = "genesis.restart.backoff.initial.ms"
RESTART_BACKOFF_MAX_MS_CONFIG = "genesis.restart.backoff.max.ms"
RESTART_MAX_ATTEMPTS_CONFIG = "genesis.restart.backoff.max.attempts"


def restart_config_def() -> ConfigDef:
    """The automatic restart policy's keys (worker defaults; a connector config may set each of them)."""
    M = Importance.MEDIUM
    return (
        ConfigDef()
        .define(
            RESTART_ENABLED_CONFIG,
            ConfigType.BOOLEAN,
            False,
            None,
            M,
            "Genesis: restart FAILED connectors and tasks automatically, with exponential backoff (Connect never "
            "does). Tasks failed by the blocked-task watchdog are never restarted automatically.",
        )
        .define(
            RESTART_BACKOFF_INITIAL_MS_CONFIG,
            ConfigType.LONG,
            1000,
            Range.at_least(0),
            M,
            "Genesis: delay before the first automatic restart; it doubles at each further attempt.",
        )
        .define(
            RESTART_BACKOFF_MAX_MS_CONFIG,
            ConfigType.LONG,
            60000,
            Range.at_least(0),
            M,
            "Genesis: the longest delay between automatic restarts; also how long a restarted connector or task "
            "must stay RUNNING before its attempts count from zero again.",
        )
        .define(
            RESTART_MAX_ATTEMPTS_CONFIG,
            ConfigType.INT,
            5,
            Range.at_least(-1),
            M,
            "Genesis: automatic restarts in a row before giving up (it then stays FAILED); -1 for no limit.",
        )
    )


def genesis_config_def() -> ConfigDef:
    """Every ``genesis.*`` worker property."""
    return (
        ConfigDef()
        .define(
            "genesis.task.blocked.timeout.ms",
            ConfigType.LONG,
            30000,
            None,
            Importance.MEDIUM,
            "Genesis: a task whose thread's event loop makes no progress for longer than this (a blocking call "
            "or a busy loop in put/poll) is reported FAILED with the stack where it is stuck and abandoned; the "
            "rest of the worker keeps running. A connector config may set the same key; 0 or less turns it off.",
        )
        .define(
            "genesis.source.max.inflight.records",
            ConfigType.LONG,
            100_000,
            None,
            Importance.LOW,
            "Genesis: the most records a source task holds from their send until their offsets are committed; "
            "at the bound it stops polling until acknowledgements (and offsets committed early) bring it back "
            "under. A connector config may set the same key.",
        )
        .define(
            "genesis.source.max.inflight.bytes",
            ConfigType.LONG,
            64 * 1024 * 1024,
            None,
            Importance.LOW,
            "Genesis: the most bytes a source task holds in flight: 256 per record until its offset is "
            "committed, plus the serialized size of each record not yet acknowledged; at the bound it stops "
            "polling as for genesis.source.max.inflight.records. A connector config may set the same key.",
        )
        .define(
            "genesis.ownership.required",
            ConfigType.BOOLEAN,
            False,
            None,
            Importance.MEDIUM,
            "Genesis: when true, a connector config without genesis.owner and genesis.ticket fails validation "
            "(400 on create and update).",
        )
        .merge(restart_config_def())
        .merge(task_process_config_def())
    )


def task_process_config_def() -> ConfigDef:
    """Executor processes: ``genesis.task.processes`` (worker) and the isolation keys (worker defaults; a
    connector config may set each of them)."""
    L = Importance.LOW
    return (
        ConfigDef()
        .define(
            "genesis.task.processes",
            ConfigType.STRING,
            "1",
            _processes,
            Importance.MEDIUM,
            "Genesis: executor processes that run this worker's tasks (a number, or auto for one per core); "
            "1 runs every task in the worker process. The worker process stays the group member, REST server "
            "and herder.",
        )
        .define(
            "genesis.task.isolation",
            ConfigType.STRING,
            "thread",
            CaseInsensitiveValidString.in_("thread", "process"),
            Importance.MEDIUM,
            "Genesis: process runs a connector's tasks in an executor process of their own, under "
            "genesis.task.memory.max.bytes and genesis.task.cpu.max.percent; thread runs them as "
            "genesis.task.processes says. A connector config may set the same key.",
        )
        .define(
            "genesis.task.memory.max.bytes",
            ConfigType.LONG,
            0,
            Range.at_least(0),
            L,
            "Genesis: an isolated executor whose resident memory goes over this is killed and its tasks "
            "FAILED (0: no limit). A connector config may set the same key.",
        )
        .define(
            "genesis.task.cpu.max.percent",
            ConfigType.DOUBLE,
            0.0,
            Range.at_least(0),
            L,
            "Genesis: an isolated executor that uses more CPU than this (100 = one core) over "
            "genesis.task.cpu.window.ms is killed and its tasks FAILED (0: no limit). A connector config may "
            "set the same key.",
        )
        .define(
            "genesis.task.cpu.window.ms",
            ConfigType.LONG,
            10000,
            Range.at_least(100),
            L,
            "Genesis: the window over which genesis.task.cpu.max.percent is measured. A connector config may "
            "set the same key.",
        )
    )


def _processes(name: str, value: object) -> None:
    text = str(value).strip().lower()
    if text != "auto" and not (text.isdigit() and int(text) >= 1):
        raise invalid_value(name, value, "Must be a number of processes (1 or more) or auto")
