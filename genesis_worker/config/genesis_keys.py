"""The worker properties genesis-worker adds to Connect's (``genesis.*``): blocked-task watchdog, source
in-flight bounds, the ownership rule, the automatic restart policy and the lag evaluator's sampling. Merged
into the worker's ConfigDef; several may also be set in a connector's config (the docs of each key say which)."""

from __future__ import annotations

from genesis_worker.api.config import ConfigDef, ConfigType, Importance
from genesis_worker.api.validators import CaseInsensitiveValidString, Range, invalid_value

RESTART_ENABLED_CONFIG = "genesis.restart.enabled"
RESTART_BACKOFF_INITIAL_MS_CONFIG = "genesis.restart.backoff.initial.ms"
RESTART_BACKOFF_MAX_MS_CONFIG = "genesis.restart.backoff.max.ms"
RESTART_MAX_ATTEMPTS_CONFIG = "genesis.restart.backoff.max.attempts"
LAG_SAMPLE_INTERVAL_MS_CONFIG = "genesis.lag.sample.interval.ms"
LAG_WINDOW_SIZE_CONFIG = "genesis.lag.window.size"
LAG_MINIMUM_COMPLETE_CONFIG = "genesis.lag.minimum.complete"


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


def lag_config_def() -> ConfigDef:
    """The lag evaluator's keys (Burrow's ``offset-refresh``, ``intervals`` and ``minimum-complete``)."""
    return (
        ConfigDef()
        .define(
            LAG_SAMPLE_INTERVAL_MS_CONFIG,
            ConfigType.LONG,
            30000,
            Range.at_least(100),
            Importance.LOW,
            "Genesis: how often the leader samples every sink's committed offsets and its topics' log-end offsets "
            "for the lag evaluation (Burrow's offset-refresh). Interval times window should exceed "
            "offset.flush.interval.ms several times, or a busy sink between two commits looks stalled.",
        )
        .define(
            LAG_WINDOW_SIZE_CONFIG,
            ConfigType.INT,
            10,
            Range.at_least(1),
            Importance.LOW,
            "Genesis: samples kept per partition and evaluated with Burrow's rules (Burrow's intervals).",
        )
        .define(
            LAG_MINIMUM_COMPLETE_CONFIG,
            ConfigType.DOUBLE,
            0.5,
            Range.between(0.0, 1.0),
            Importance.LOW,
            "Genesis: the share of the window a partition must have been sampled before its status is judged "
            "(Burrow's minimum-complete); OK until then. Burrow's default, 0, judges from the first sample, when "
            "a busy sink between two offset commits still looks stalled.",
        )
    )


CLUSTER_NAME_CONFIG = "genesis.cluster.name"
CONSOLE_CLUSTERS_CONFIG = "genesis.console.clusters"
CLUSTER_TIMEOUT_MS_CONFIG = "genesis.cluster.request.timeout.ms"
CLUSTER_CACHE_MS_CONFIG = "genesis.cluster.cache.ms"


def cluster_view_config_def() -> ConfigDef:
    """The keys of the cluster views: figures gathered from every worker, other clusters for the console."""
    M = Importance.MEDIUM
    return (
        ConfigDef()
        .define(
            CLUSTER_NAME_CONFIG,
            ConfigType.STRING,
            "",
            None,
            M,
            'Genesis: this cluster\'s name in GET /genesis/clusters and in the "cluster" field of multi-cluster '
            'answers; empty: group.id (distributed) or "standalone".',
        )
        .define(
            CONSOLE_CLUSTERS_CONFIG,
            ConfigType.LIST,
            "",
            None,
            M,
            "Genesis: other genesis-worker clusters the console's cluster selector offers, one per Kafka cluster: "
            "a comma-separated list of name=url or url (the REST URL of any worker of that cluster; user:password@ "
            "in the URL is sent as HTTP basic authentication).",
        )
        .define(
            CLUSTER_TIMEOUT_MS_CONFIG,
            ConfigType.LONG,
            2000,
            Range.at_least(1),
            M,
            "Genesis: how long a request to another worker (cluster-wide /genesis/metrics) or to another cluster "
            "(genesis.console.clusters) may take before that member or cluster is reported unreachable.",
        )
        .define(
            CLUSTER_CACHE_MS_CONFIG,
            ConfigType.LONG,
            2000,
            Range.at_least(0),
            M,
            "Genesis: how long figures gathered from the other workers and answers of other clusters are reused.",
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
            "genesis.sink.max.inflight.records",
            ConfigType.LONG,
            100_000,
            None,
            Importance.LOW,
            "Genesis: the most records a sink task holds from their put() until their offsets are committed; at "
            "the bound it commits early (pre_commit/flush, so a buffering connector writes them out) before it "
            "consumes more. A connector that keeps records after a flush is not waited for. A connector config "
            "may set the same key.",
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
        .merge(lag_config_def())
        .merge(cluster_view_config_def())
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
