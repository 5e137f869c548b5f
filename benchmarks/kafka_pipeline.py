"""Workload 1: Kafka -> Kafka ad-log pipeline (filter + inject timestamp + 10 % key-hash sample).

Input: N JSON ad logs of ~300 bytes (lz4) on 4 partitions, keyed by user id. Each contender reads the
whole topic and writes the records that pass the filter and the sample, with a timestamp injected, to a
fresh 4-partition output topic created with ``message.timestamp.type=LogAppendTime``. Throughput is
``N / (append time of the last output record - append time of the first)``: the broker's clock, the same
for every contender, and start-up (group join, imports) is not counted. CPU per input record is the CPU
the contender's processes used between the first output record and the last.

Contenders, each with 1 and 4 tasks, interleaved run by run so the ratios come from the same run:

* ``genesis``: KafkaSinkConnector (ByteArrayConverter, so the injected field is spliced into the bytes)
  through the real runtime, ``genesis-worker standalone`` in its own process;
* ``raw``: :mod:`benchmarks.peers.raw_pipeline`, the hand-written confluent-kafka + orjson loop (4 tasks = 4
  processes, one partition each) - the ceiling for Python;
* ``quix``: :mod:`benchmarks.peers.quix_pipeline`, quixstreams (4 tasks = 4 processes in one group);
* ``java``: Java Kafka Connect 4.4, closest job core Connect can do (see :data:`JAVA_NOTE`).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import connect_rest as rest
from benchmarks.common import (
    FILTER_CONDITION,
    INJECT_FIELD,
    LOG_APPEND,
    REPO_ROOT,
    SAMPLE_PERCENT,
    BenchResult,
    Figure,
    Scale,
    adlog_records,
    append_time_span,
    cpu_seconds,
    delete_topics,
    expected_pipeline_output,
    produce_all,
    topic_count,
    unique,
)
from benchmarks.services import GenesisWorker, Services, genesis_missing

log = logging.getLogger("benchmarks.kafka_pipeline")

PARTITIONS = 4
TASKS = (1, 4)
JAVA_NOTE = (
    "Java: core Kafka Connect 4.4 has no Kafka->Kafka sink and org.apache.kafka:connect-mirror:4.4.0 is not on "
    "Maven Central (404 on 2026-11-25), so Java runs the closest job core Connect can do: "
    "FileStreamSinkConnector with JsonConverter (schemas off), a Filter transform (RecordIsTombstone "
    "predicate: Connect has no content filter and no sampling) and InsertField$Value (timestamp). It parses "
    "and transforms every record and writes all N to a local file, so it does more writing and less "
    "filtering than the others; its rate is from the first to the last line written (50 ms polling)."
)
GENESIS_CONNECTOR = "com.genesis.connect.kafka.KafkaSinkConnector"
BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter"


class Contender:
    """One way of running the pipeline; ``start`` it, the harness waits for the output, then ``stop``."""

    label = ""

    def __init__(self, svc: Services, tasks: int) -> None:
        self.svc = svc
        self.tasks = tasks

    @property
    def name(self) -> str:
        return f"{self.label} {self.tasks} task{'s' if self.tasks > 1 else ''}"

    def start(self, input_topic: str, output_topic: str) -> None:
        raise NotImplementedError

    def pids(self) -> list[int]:
        raise NotImplementedError

    def alive(self) -> bool:
        return True

    def stop(self) -> None:
        raise NotImplementedError


class ChildProcesses(Contender):
    """Contenders that are plain child processes (raw loop, quixstreams)."""

    def __init__(self, svc: Services, tasks: int) -> None:
        super().__init__(svc, tasks)
        self.procs: list[subprocess.Popen[bytes]] = []

    def argvs(self, input_topic: str, output_topic: str) -> list[list[str]]:
        raise NotImplementedError

    def start(self, input_topic: str, output_topic: str) -> None:
        env = dict(
            os.environ, PYTHONPATH=os.pathsep.join(str(REPO_ROOT / d) for d in (".", "connectors", "transforms"))
        )
        self.procs = [
            subprocess.Popen(argv, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            for argv in self.argvs(input_topic, output_topic)
        ]

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.procs)

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def errors(self) -> str:
        out = []
        for p in self.procs:
            if p.poll() is not None and p.stderr is not None:
                out.append(p.stderr.read().decode(errors="replace")[-2000:])
        return "\n".join(out)


class Raw(ChildProcesses):
    label = "raw"

    def __init__(self, svc: Services, tasks: int, extra: tuple[str, ...] = ()) -> None:
        super().__init__(svc, tasks)
        self.extra = extra  # e.g. ("--job", "json"): the all-kept jobs of benchmarks.pipeline_jobs

    def argvs(self, input_topic: str, output_topic: str) -> list[list[str]]:
        base = [sys.executable, "-m", "benchmarks.peers.raw_pipeline", self.svc.kafka.bootstrap, input_topic]
        if self.tasks == 1:
            return [[*base, output_topic, *self.extra]]
        return [[*base, output_topic, "--partition", str(p), *self.extra] for p in range(self.tasks)]


def quix_python() -> str:
    """quixstreams pins confluent-kafka < 2.13 while genesis needs >= 2.16, so the quixstreams peer runs
    from its own venv: $GENESIS_BENCH_QUIX_PYTHON, else .venv-quix/bin/python, else this interpreter."""
    explicit = os.environ.get("GENESIS_BENCH_QUIX_PYTHON")
    if explicit:
        return explicit
    local = Path(__file__).resolve().parents[1] / ".venv-quix" / "bin" / "python"
    return str(local) if local.exists() else sys.executable


class Quix(ChildProcesses):
    label = "quix"

    def argvs(self, input_topic: str, output_topic: str) -> list[list[str]]:
        group = unique("quix")
        argv = [
            quix_python(),
            "-m",
            "benchmarks.peers.quix_pipeline",
            self.svc.kafka.bootstrap,
            input_topic,
            output_topic,
            group,
        ]
        return [argv for _ in range(self.tasks)]


def genesis_connector_config(
    name: str, bootstrap: str, input_topic: str, output_topic: str, tasks: int
) -> dict[str, Any]:
    return {
        "name": name,
        "target.bootstrap.servers": bootstrap,
        "connector.class": GENESIS_CONNECTOR,
        "tasks.max": tasks,
        "topics": input_topic,
        "target.topic": output_topic,
        "filter.condition": FILTER_CONDITION,
        "inject.timestamp.field": INJECT_FIELD,
        "inject.timestamp.source": "wallclock",
        "sample.percent": SAMPLE_PERCENT,
        "sample.mode": "hash",
        "key.converter": BYTES,
        "value.converter": BYTES,
    }


class Genesis(Contender):
    """``genesis-worker standalone`` with the KafkaSinkConnector given on the command line."""

    label = "genesis"

    def __init__(self, svc: Services, tasks: int, overrides: dict[str, Any] | None = None) -> None:
        super().__init__(svc, tasks)
        self.overrides = overrides  # the connector config of an all-kept job (benchmarks.pipeline_jobs)
        self.worker: GenesisWorker | None = None
        self.connector = ""
        self._checked = 0.0
        self._trace = ""

    def start(self, input_topic: str, output_topic: str) -> None:
        self.connector = unique("pipe")
        conf = genesis_connector_config(self.connector, self.svc.kafka.bootstrap, input_topic, output_topic, self.tasks)
        if self.overrides is not None:
            for k in ("filter.condition", "inject.timestamp.field", "sample.percent", "sample.mode"):
                conf.pop(k)
            conf.update(self.overrides)
        self.worker = self.svc.genesis(mode="standalone", connectors=[conf])
        self.worker.start()

    def pids(self) -> list[int]:
        return [self.worker.pid] if self.worker is not None and self.worker.pid else []

    def alive(self) -> bool:
        if self.worker is None or not self.worker.running:
            return False
        now = time.monotonic()
        if now - self._checked > 1.0:  # a FAILED connector or task ends the run at once
            self._checked = now
            trace = rest.failed_trace(rest.status(self.worker.url, self.connector))
            if trace:
                self._trace = trace
                return False
        return True

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None

    def errors(self) -> str:
        if self._trace:
            return self._trace
        return self.worker.tail() if self.worker is not None else ""


def run_to_topic(
    c: Contender,
    input_topic: str,
    n_in: int,
    expected: int,
    svc: Services,
    timeout: float,
) -> tuple[float, float]:
    """Run ``c`` once into a fresh output topic; ``(records/s, CPU µs per input record)``."""
    bootstrap = svc.kafka.bootstrap
    out = svc.kafka.create_topic(unique("pipe-out"), PARTITIONS, LOG_APPEND)
    c.start(input_topic, out)
    try:
        cpu0 = _wait(lambda: topic_count(bootstrap, out) > 0, c, timeout, f"{c.name}: first output record")
        cpu1 = _wait(lambda: topic_count(bootstrap, out) >= expected, c, timeout, f"{c.name}: {expected} records")
    except Exception as e:
        errs = getattr(c, "errors", lambda: "")()
        raise RuntimeError(f"{e}: {errs[-3000:]}") from None
    finally:
        c.stop()
    first, last, count = append_time_span(bootstrap, out)
    if count != expected:
        raise RuntimeError(f"{c.name}: {count} records in the output, expected {expected}")
    span = max(last - first, 1) / 1000.0
    delete_topics(bootstrap, [out])
    return n_in / span, (cpu1 - cpu0) / n_in * 1e6


def _wait(check: Callable[[], bool], c: Contender, timeout: float, what: str, interval: float = 0.05) -> float:
    """Wait for ``check``; return the contender's CPU seconds at that moment."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return sum(cpu_seconds(p) for p in c.pids())
        if not c.alive():
            raise RuntimeError(f"{what}: process exited")
        time.sleep(interval)
    raise TimeoutError(f"{what}: timed out after {timeout:.0f}s")


class JavaFileSink:
    """Java Connect 4.4 running the closest job (see :data:`JAVA_NOTE`); one worker for all runs."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.worker = svc.java_connect(properties={"offset.flush.interval.ms": 10000})
        self.worker.start()

    def run(
        self, input_topic: str, n_in: int, tasks: int, timeout: float, job: dict[str, Any] | None = None
    ) -> tuple[float, float]:
        """``job``: converters and transforms of an all-kept job instead of the closest job's."""
        path = Path(self.worker.tmp_dir) / f"{unique('out')}.txt"
        name = unique("javapipe")
        config: dict[str, Any] = {
            "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
            "tasks.max": tasks,
            "topics": input_topic,
            "file": str(path),
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false",
            "transforms": "drop,ts",
            "transforms.drop.type": "org.apache.kafka.connect.transforms.Filter",
            "transforms.drop.predicate": "tomb",
            "predicates": "tomb",
            "predicates.tomb.type": "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone",
            "transforms.ts.type": "org.apache.kafka.connect.transforms.InsertField$Value",
            "transforms.ts.timestamp.field": INJECT_FIELD,
        }
        if job is not None:
            config = {k: v for k, v in config.items() if not k.startswith(("transforms", "predicates"))}
            config.update(job)
        pid = self.worker.pid or 0
        rest.create(self.worker.url, name, config)
        try:
            deadline = time.monotonic() + timeout
            first = last = 0.0
            cpu0 = cpu1 = 0.0
            size = 0
            while time.monotonic() < deadline:
                now = time.monotonic()
                cur = path.stat().st_size if path.exists() else 0
                if cur and not first:
                    first, cpu0 = now, cpu_seconds(pid)
                if cur != size:
                    size, last, cpu1 = cur, now, cpu_seconds(pid)
                elif first and now - last > 1.5:
                    lines = _count_lines(path)
                    if lines >= n_in:
                        break
                    if now - last > 30:
                        raise RuntimeError(f"java: output stuck at {lines}/{n_in} lines")
                time.sleep(0.05)
            else:
                raise TimeoutError(f"java {tasks} task(s): output not complete after {timeout:.0f}s")
        finally:
            rest.delete(self.worker.url, name)
        path.unlink(missing_ok=True)
        return n_in / max(last - first, 1e-3), (cpu1 - cpu0) / n_in * 1e6


def _count_lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            n += chunk.count(b"\n")
    return n


def run(svc: Services, scale: Scale, only_tasks: tuple[int, ...] = TASKS) -> BenchResult:
    n = scale.records
    res = BenchResult(
        "kafka_pipeline",
        "Kafka -> Kafka ad-log pipeline (filter + inject timestamp + 10 % hash sample)",
        params={
            "records": n,
            "partitions": PARTITIONS,
            "runs": scale.runs,
            "filter": FILTER_CONDITION,
            "sample_percent": SAMPLE_PERCENT,
        },
    )
    res.notes.append(JAVA_NOTE)
    bootstrap = svc.kafka.bootstrap
    input_topic = svc.kafka.create_topic(unique("adlogs"), PARTITIONS)
    t0 = time.monotonic()
    produce_all(bootstrap, input_topic, adlog_records(n))
    log.info("produced %d ad logs in %.1fs", n, time.monotonic() - t0)
    expected = expected_pipeline_output(n)
    res.params["expected_output"] = expected
    res.params["avg_value_bytes"] = round(sum(len(v) for _, v in adlog_records(2000)) / 2000, 1)
    timeout = max(120.0, n / 5000)

    contenders: list[Contender] = []
    gm = genesis_missing()
    for tasks in only_tasks:
        if gm:
            res.skip(f"genesis {tasks} task{'s' if tasks > 1 else ''}", gm)
        else:
            contenders.append(Genesis(svc, tasks))
        contenders.append(Raw(svc, tasks))
        contenders.append(Quix(svc, tasks))
    java: JavaFileSink | None = None
    try:
        java = JavaFileSink(svc)
    except Exception as e:
        res.skip("java", f"Java Connect did not start: {e}")

    rates: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    failed: dict[str, str] = {}
    for r in range(scale.runs):
        for c in contenders:
            if c.name in failed:
                continue
            try:
                rate, cpu = run_to_topic(c, input_topic, n, expected, svc, timeout)
            except Exception as e:
                log.error("%s failed: %s", c.name, e)
                failed[c.name] = str(e).strip().splitlines()[0][:300] if str(e).strip() else type(e).__name__
                continue
            log.info("  run %d %-16s %10.0f rec/s  %6.2f µs CPU/rec", r + 1, c.name, rate, cpu)
            rates.setdefault(c.name, []).append(rate)
            cpus.setdefault(c.name, []).append(cpu)
        if java is not None:
            for tasks in only_tasks:
                jname = f"java {tasks} task{'s' if tasks > 1 else ''}"
                if jname in failed:
                    continue
                try:
                    rate, cpu = java.run(input_topic, n, tasks, timeout)
                except Exception as e:
                    log.error("%s failed: %s", jname, e)
                    failed[jname] = str(e).strip().splitlines()[0][:300]
                    continue
                log.info("  run %d %-16s %10.0f rec/s  %6.2f µs CPU/rec", r + 1, jname, rate, cpu)
                rates.setdefault(jname, []).append(rate)
                cpus.setdefault(jname, []).append(cpu)

    for name, why in failed.items():
        if name not in rates:
            res.skip(name, f"failed: {why}")
        else:
            res.notes.append(f"{name}: some runs failed ({why})")
    for name, values in rates.items():
        res.add(Figure(f"{name} rec/s", "records/s", values))
        res.add(Figure(f"{name} CPU/rec", "µs CPU per input record", cpus[name], higher_is_better=False))

    res.ratio("genesis/raw 1 task", "genesis 1 task rec/s", "raw 1 task rec/s", target=0.7, target_text=">= 0.7")
    res.ratio("genesis/quix 1 task", "genesis 1 task rec/s", "quix 1 task rec/s", target=2.0, target_text=">= 2")
    res.ratio("genesis/java 1 task", "genesis 1 task rec/s", "java 1 task rec/s", target=1.0, target_text=">= 1")
    if 4 in only_tasks:
        res.ratio("genesis/raw 4 tasks", "genesis 4 tasks rec/s", "raw 4 tasks rec/s", target=0.7, target_text=">= 0.7")
        res.ratio("genesis/quix 4 tasks", "genesis 4 tasks rec/s", "quix 4 tasks rec/s", target=2.0, target_text=">= 2")
        res.ratio("genesis/java 4 tasks", "genesis 4 tasks rec/s", "java 4 tasks rec/s", target=1.0, target_text=">= 1")
    # CPU efficiency (raw CPU per record / genesis CPU per record): steadier than rates on a loaded machine
    res.ratio(
        "CPU efficiency genesis vs raw 1 task",
        "raw 1 task CPU/rec",
        "genesis 1 task CPU/rec",
        target=0.7,
        target_text=">= 0.7",
    )
    res.ratio(
        "CPU efficiency genesis vs quix 1 task",
        "quix 1 task CPU/rec",
        "genesis 1 task CPU/rec",
        target=2.0,
        target_text=">= 2",
    )
    res.ratio(
        "CPU efficiency genesis vs java 1 task",
        "java 1 task CPU/rec",
        "genesis 1 task CPU/rec",
        target=1.0,
        target_text=">= 1",
    )
    res.notes.append(
        "4 tasks run on a 2-core machine: genesis runs its 4 tasks in one process (one GIL), raw and quix run "
        "4 processes; per-task figures = total / 4."
    )
    delete_topics(bootstrap, [input_topic])
    return res
