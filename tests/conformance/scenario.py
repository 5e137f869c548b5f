"""The scripted REST scenario run against Java Kafka Connect 4.4 and against genesis-worker.

Each :class:`Step` is one HTTP call; ``{in}``, ``{out}``, ``{topic}`` are replaced by each target's own
file paths and topic. ``wait`` steps poll a connector's status until it reaches a state (not compared).
``compare`` says how much of a successful body must match: ``exact`` (after normalisation), ``shape``
(same keys and value types), ``status`` (status code only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Compare = Literal["exact", "shape", "status", "keys"]


@dataclass(frozen=True)
class Step:
    id: str
    method: str
    path: str
    body: Any = None
    raw: bytes | None = None  # send these bytes instead of JSON
    headers: dict[str, str] | None = None
    compare: Compare = "exact"
    wait: tuple[str, str, int] | None = None  # (connector, state, task count)
    sort_list: bool = False
    check_headers: bool = False  # also compare CORS / Allow / configured response headers
    retry_conflict: bool = False  # repeat (up to 20 s) while the answer is 409: a rebalance is settling
    # sink offsets: compare only the scenario topic's partitions (group connect-<name> is shared with other
    # tests that ran earlier on the same broker and used the same connector name)
    own_topic_only: bool = False


SRC = {"connector.class": "FileStreamSource", "tasks.max": "1", "file": "{in}", "topic": "{topic}"}
SINK = {"connector.class": "FileStreamSink", "tasks.max": "1", "file": "{out}", "topics": "{topic}"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}

STEPS: list[Step] = [
    Step("root", "GET", "/", compare="shape"),
    Step("health", "GET", "/health"),
    Step("list-empty", "GET", "/connectors"),
    Step("plugins", "GET", "/connector-plugins", compare="shape"),
    Step("plugins-all", "GET", "/connector-plugins?connectorsOnly=false", compare="shape"),
    Step("plugin-config", "GET", "/connector-plugins/FileStreamSink/config", compare="keys"),
    Step("plugin-config-unknown", "GET", "/connector-plugins/NoSuchPlugin/config"),
    Step(
        "validate-missing-topics",
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        {"connector.class": "FileStreamSink", "name": "v"},
        compare="keys",
    ),
    Step(
        "validate-mismatch",
        "PUT",
        "/connector-plugins/FileStreamSource/config/validate",
        {"connector.class": "FileStreamSink", "name": "v"},
    ),
    Step("validate-no-class", "PUT", "/connector-plugins/FileStreamSink/config/validate", {"topics": "t1"}),
    Step(
        "validate-plugin-versions",
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        {
            "connector.class": "FileStreamSink",
            "name": "v",
            "topics": "t1",
            "connector.plugin.version": "[99.0,)",
            "value.converter.plugin.version": "not a version (",
        },
        compare="keys",
    ),
    Step(
        "validate-converter-version",
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        {"connector.class": "FileStreamSink", "name": "v", "topics": "t1", "value.converter.plugin.version": "[99.0,)"},
        compare="keys",
    ),
    Step(
        "validate-version-syntax",
        "PUT",
        "/connector-plugins/FileStreamSink/config/validate",
        {"connector.class": "FileStreamSink", "name": "v", "topics": "t1", "connector.plugin.version": "(1.0"},
        compare="keys",
    ),
    Step("create-src", "POST", "/connectors", {"name": "src", "config": {**SRC, "tasks.max": 1}}),
    Step("create-dup", "POST", "/connectors", {"name": "src", "config": SRC}),
    Step("create-invalid", "POST", "/connectors", {"name": "bad", "config": {"connector.class": "FileStreamSink"}}),
    Step("create-no-class", "POST", "/connectors", {"name": "bad", "config": {"topics": "t1"}}),
    Step("create-name-mismatch", "POST", "/connectors", {"name": "a", "config": {**SRC, "name": "b"}}),
    Step("create-form-415", "POST", "/connectors", raw=b'{"name":"x","config":{}}', headers=FORM),
    Step("create-malformed", "POST", "/connectors", raw=b'{"name": }', headers=JSON),
    Step("create-empty", "POST", "/connectors", raw=b"", headers=JSON),
    Step("create-no-config", "POST", "/connectors", {"name": "x"}),
    Step("put-empty", "PUT", "/connectors/x/config", raw=b"", headers=JSON),
    Step("patch-empty", "PATCH", "/connectors/x/config", raw=b"", headers=JSON),
    Step("validate-empty", "PUT", "/connector-plugins/FileStreamSink/config/validate", raw=b"", headers=JSON),
    Step("offsets-empty-body", "PATCH", "/connectors/x/offsets", raw=b"", headers=JSON),
    Step("logger-empty", "PUT", "/admin/loggers/root", raw=b"", headers=JSON),
    Step("put-array", "PUT", "/connectors/x/config", raw=b"[1]", headers=JSON, compare="status"),
    Step("put-nested", "PUT", "/connectors/x/config", {"connector.class": {"a": 1}}, compare="status"),
    Step("create-numeric-name", "POST", "/connectors", {"name": 42, "config": SRC}, compare="status"),
    Step("delete-numeric-name", "DELETE", "/connectors/42", compare="status"),
    Step("create-unknown-field", "POST", "/connectors", {"name": "x", "config": SRC, "extra": 1}, compare="status"),
    Step(
        "create-bad-initial-state",
        "POST",
        "/connectors",
        {"name": "x", "config": SRC, "initial_state": "NAP"},
        compare="status",
    ),
    Step("put-sink-create", "PUT", "/connectors/sink/config", SINK),
    Step("put-sink-update", "PUT", "/connectors/sink/config", {**SINK, "batch.size": "5"}),
    Step("put-name-mismatch", "PUT", "/connectors/sink/config", {**SINK, "name": "other"}),
    Step("put-encoded-name", "PUT", "/connectors/a%20b/config", SRC),
    Step("put-slash-name", "PUT", "/connectors/x%2Fy/config", SRC, compare="status"),  # Jetty: 400
    Step("put-unicode-name", "PUT", "/connectors/%E2%9C%93/config", SRC),
    Step("get-unicode-name", "GET", "/connectors/%E2%9C%93/config"),
    Step("delete-unicode-name", "DELETE", "/connectors/%E2%9C%93"),
    Step("wait-src", "GET", "", wait=("src", "RUNNING", 1)),
    Step("wait-sink", "GET", "", wait=("sink", "RUNNING", 1)),
    Step("list", "GET", "/connectors", sort_list=True),
    Step("list-trailing-slash", "GET", "/connectors/", sort_list=True),
    Step("expand-status", "GET", "/connectors?expand=status"),
    Step("expand-info", "GET", "/connectors?expand=info"),
    Step("expand-both", "GET", "/connectors?expand=info&expand=status"),
    Step("expand-unknown", "GET", "/connectors?expand=nothing"),
    Step("get-src", "GET", "/connectors/src"),
    Step("get-src-config", "GET", "/connectors/src/config"),
    Step("get-src-status", "GET", "/connectors/src/status"),
    Step("get-src-tasks", "GET", "/connectors/src/tasks", compare="shape"),
    Step("get-task-status", "GET", "/connectors/src/tasks/0/status"),
    Step("get-task-status-missing", "GET", "/connectors/src/tasks/9/status"),
    Step("get-task-status-nonint", "GET", "/connectors/src/tasks/x/status"),
    Step("tasks-config-removed", "GET", "/connectors/src/tasks-config"),
    Step("get-encoded-name", "GET", "/connectors/a%20b"),
    Step("topics", "GET", "/connectors/sink/topics", compare="status"),  # content depends on timing
    Step("topics-unknown", "GET", "/connectors/nope/topics"),
    Step("patch-sink", "PATCH", "/connectors/sink/config", {"batch.size": None, "tasks.max": "1"}),
    Step("patch-missing", "PATCH", "/connectors/nope/config", {"a": "b"}),
    Step("restart", "POST", "/connectors/sink/restart"),
    Step(
        "restart-octet-stream",
        "POST",
        "/connectors/sink/restart",
        raw=b"",
        headers={"Content-Type": "application/octet-stream"},
    ),
    Step("restart-tasks", "POST", "/connectors/sink/restart?includeTasks=true&onlyFailed=false", compare="shape"),
    Step("wait-sink-2", "GET", "", wait=("sink", "RUNNING", 1)),
    Step("restart-task", "POST", "/connectors/sink/tasks/0/restart"),
    Step("restart-task-missing", "POST", "/connectors/sink/tasks/5/restart"),
    Step("restart-missing", "POST", "/connectors/nope/restart"),
    Step("pause", "PUT", "/connectors/sink/pause"),
    Step("wait-paused", "GET", "", wait=("sink", "PAUSED", 1)),
    Step("status-paused", "GET", "/connectors/sink/status"),
    Step("resume", "PUT", "/connectors/sink/resume"),
    Step("pause-missing", "PUT", "/connectors/nope/pause"),
    Step("stop-src", "PUT", "/connectors/src/stop"),
    Step("wait-stopped", "GET", "", wait=("src", "STOPPED", 0)),
    Step("status-stopped", "GET", "/connectors/src/status"),
    Step("offsets-src", "GET", "/connectors/src/offsets", compare="shape"),
    Step("offsets-empty-400", "PATCH", "/connectors/src/offsets", {"offsets": []}),
    Step(
        "offsets-running-400",
        "PATCH",
        "/connectors/sink/offsets",
        {"offsets": [{"partition": {"kafka_topic": "{topic}", "kafka_partition": 0}, "offset": {"kafka_offset": 1}}]},
    ),
    Step(
        "offsets-alter",
        "PATCH",
        "/connectors/src/offsets",
        {"offsets": [{"partition": {"filename": "{in}"}, "offset": {"position": 2}}]},
    ),
    Step("offsets-after-alter", "GET", "/connectors/src/offsets"),
    Step("offsets-reset", "DELETE", "/connectors/src/offsets"),
    Step("stop-sink", "PUT", "/connectors/sink/stop"),
    Step("wait-sink-stopped", "GET", "", wait=("sink", "STOPPED", 0)),
    Step(
        "offsets-sink-partition-reset",
        "PATCH",
        "/connectors/sink/offsets",
        {"offsets": [{"partition": {"kafka_topic": "{topic}", "kafka_partition": 0}, "offset": None}]},
    ),
    Step("offsets-sink-after-reset", "GET", "/connectors/sink/offsets", own_topic_only=True),
    Step("offsets-missing", "GET", "/connectors/nope/offsets"),
    Step("get-missing", "GET", "/connectors/nope"),
    Step("status-missing", "GET", "/connectors/nope/status"),
    Step("delete-missing", "DELETE", "/connectors/nope"),
    Step("unknown-path", "GET", "/nope"),
    Step("wrong-method", "DELETE", "/connectors"),
    Step("options", "OPTIONS", "/connectors", compare="status"),
    Step("loggers", "GET", "/admin/loggers", compare="status"),
    Step("logger-root", "GET", "/admin/loggers/root", compare="shape"),
    Step("logger-set", "PUT", "/admin/loggers/org.apache.kafka.connect.genesis.test", {"level": "DEBUG"}),
    Step("logger-get", "GET", "/admin/loggers/org.apache.kafka.connect.genesis.test", compare="shape"),
    Step("logger-invalid-level", "PUT", "/admin/loggers/root", {"level": "LOUD"}),
    Step("logger-no-level", "PUT", "/admin/loggers/root", {"lvl": "DEBUG"}),
    Step("logger-missing", "GET", "/admin/loggers/no.such.logger.anywhere"),
    Step("internal-tasks-standalone", "POST", "/connectors/src/tasks", [{"task.class": "x"}]),
    Step("internal-fence-standalone", "PUT", "/connectors/src/fence"),
    Step(
        "logger-cluster-scope",
        "PUT",
        "/admin/loggers/org.apache.kafka.connect.genesis.test?scope=cluster",
        {"level": "INFO"},
    ),
    Step("delete-src", "DELETE", "/connectors/src"),
    Step("delete-sink", "DELETE", "/connectors/sink"),
    Step("delete-encoded", "DELETE", "/connectors/a%20b"),
]


ORIGIN = "http://ui.example.com"
# Run against workers configured with CORS_PROPERTIES.
CORS_PROPERTIES = {
    "access.control.allow.origin": "http://ui.example.com,https://.*[.]corp",
    "access.control.allow.methods": "GET,POST,PUT,DELETE",
    "response.http.headers.config": "set X-Frame-Options: DENY,add X-Genesis-Test: 1",
    "topic.tracking.enable": "false",
}
PREFLIGHT = {
    "Origin": ORIGIN,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "Content-Type",
}
CORS_STEPS: list[Step] = [
    Step("preflight", "OPTIONS", "/connectors", headers=PREFLIGHT, compare="status", check_headers=True),
    Step(
        "preflight-param-path",
        "OPTIONS",
        "/connectors/x/config",
        headers={"Origin": "https://a.corp", "Access-Control-Request-Method": "PUT"},
        compare="status",
        check_headers=True,
    ),
    Step(
        "preflight-other-origin",
        "OPTIONS",
        "/connectors",
        headers={**PREFLIGHT, "Origin": "http://evil.example"},
        compare="status",
        check_headers=True,
    ),
    Step("simple-get", "GET", "/connectors", headers={"Origin": ORIGIN}, check_headers=True),
    Step(
        "simple-get-other-origin", "GET", "/connectors", headers={"Origin": "http://evil.example"}, check_headers=True
    ),
    Step("no-origin", "GET", "/connectors", check_headers=True),
    Step("error-with-origin", "GET", "/connectors/nope", headers={"Origin": ORIGIN}, check_headers=True),
    Step("topics-disabled", "GET", "/connectors/x/topics"),
    Step("topics-reset-disabled", "PUT", "/connectors/x/topics/reset"),
]


# Sent to a *follower* of a two-worker distributed cluster (Java vs genesis): forwarding to the leader.
DIST_SRC = {"connector.class": "FileStreamSource", "tasks.max": "1", "file": "{in}", "topic": "{topic}"}
DIST_STEPS: list[Step] = [
    Step("fwd-create", "POST", "/connectors", {"name": "fwd", "config": DIST_SRC}),
    Step("fwd-create-dup", "POST", "/connectors", {"name": "fwd", "config": DIST_SRC}),
    Step("fwd-create-invalid", "POST", "/connectors", {"name": "bad", "config": {"connector.class": "FileStreamSink"}}),
    Step("fwd-second-hop", "PUT", "/connectors/fwd/config?forward=false", DIST_SRC),
    Step("fwd-wait", "GET", "", wait=("fwd", "RUNNING", 1)),
    Step("fwd-put", "PUT", "/connectors/fwd/config", {**DIST_SRC, "batch.size": "7"}, retry_conflict=True),
    Step("fwd-put-create", "PUT", "/connectors/fwd2/config", DIST_SRC, retry_conflict=True),
    Step("fwd-patch", "PATCH", "/connectors/fwd/config", {"batch.size": None}, retry_conflict=True),
    Step("fwd-wait-2", "GET", "", wait=("fwd", "RUNNING", 1)),
    Step("fwd-get", "GET", "/connectors/fwd"),
    Step("fwd-restart", "POST", "/connectors/fwd/restart", retry_conflict=True),
    Step("fwd-restart-plan", "POST", "/connectors/fwd/restart?includeTasks=true", compare="shape", retry_conflict=True),
    Step("fwd-wait-3", "GET", "", wait=("fwd", "RUNNING", 1)),
    Step("fwd-restart-task", "POST", "/connectors/fwd/tasks/0/restart", retry_conflict=True),
    Step("fwd-restart-missing", "POST", "/connectors/nope/restart", retry_conflict=True),
    Step("fwd-pause", "PUT", "/connectors/fwd/pause"),
    Step("fwd-wait-paused", "GET", "", wait=("fwd", "PAUSED", 1)),
    Step("fwd-resume", "PUT", "/connectors/fwd/resume"),
    Step("fwd-stop", "PUT", "/connectors/fwd/stop", retry_conflict=True),
    Step("fwd-wait-stopped", "GET", "", wait=("fwd", "STOPPED", 0)),
    Step("fwd-offsets", "GET", "/connectors/fwd/offsets", compare="shape"),
    Step(
        "fwd-offsets-alter",
        "PATCH",
        "/connectors/fwd/offsets",
        {"offsets": [{"partition": {"filename": "{in}"}, "offset": {"position": 3}}]},
        retry_conflict=True,
    ),
    Step(
        "fwd-offsets-running",
        "PATCH",
        "/connectors/fwd2/offsets",
        {"offsets": [{"partition": {"filename": "{in}"}, "offset": {"position": 3}}]},
        retry_conflict=True,
    ),
    Step("fwd-offsets-reset", "DELETE", "/connectors/fwd/offsets", retry_conflict=True),
    Step("fwd-internal-unsigned", "POST", "/connectors/fwd/tasks", [{"task.class": "x"}]),
    Step("fwd-fence-unsigned", "PUT", "/connectors/fwd/fence"),
    Step(
        "fwd-logger-cluster",
        "PUT",
        "/admin/loggers/org.apache.kafka.connect.genesis.fwd?scope=cluster",
        {"level": "DEBUG"},
    ),
    Step("fwd-delete", "DELETE", "/connectors/fwd", retry_conflict=True),
    Step("fwd-delete-2", "DELETE", "/connectors/fwd2", retry_conflict=True),
    Step("fwd-delete-missing", "DELETE", "/connectors/fwd", retry_conflict=True),
    Step("fwd-list", "GET", "/connectors"),
]
