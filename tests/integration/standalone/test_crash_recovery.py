"""A standalone worker (CLI subprocess) with FileStreamSource -> Kafka -> FileStreamSink is SIGKILLed
mid-stream and restarted: nothing is lost, duplicates appear only after the last committed offsets,
and the standalone offsets file survives the crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson
import pytest
from confluent_kafka import Consumer, KafkaError, TopicPartition

from genesis_worker.storage.offset_keys import offset_key
from tests.fixtures.net import free_port

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]
TOTAL = 30000


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def _wait(pred, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _start(tmp: Path, log_name: str) -> subprocess.Popen[bytes]:
    log = open(tmp / log_name, "wb")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "genesis_worker",
            "standalone",
            "worker.properties",
            "src.properties",
            "sink.properties",
        ],
        cwd=tmp,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(str(ROOT / d) for d in (".", "connectors", "transforms"))},
    )


def _topic_records(bootstrap: str, topic: str) -> list[str]:
    c = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"reader-{time.time_ns()}",
            "auto.offset.reset": "earliest",
            "enable.partition.eof": True,
            "enable.auto.commit": False,
        }
    )
    c.subscribe([topic])
    out: list[str] = []
    try:
        while True:
            msgs = c.consume(1000, 10)
            if not msgs:
                raise AssertionError("no EOF from topic reader")
            eof = False
            for m in msgs:
                if m.error():
                    if m.error().code() == KafkaError._PARTITION_EOF:
                        eof = True
                        continue
                    raise AssertionError(m.error())
                out.append(m.value().decode())
            if eof:
                return out
    finally:
        c.close()


def test_sigkill_mid_stream_then_restart_loses_nothing(kafka, topic_name, tmp_path):
    kafka.create_topic(topic_name, partitions=1)
    lines = [f"line-{i:06d}" for i in range(TOTAL)]
    infile, outfile, offsets = tmp_path / "in.txt", tmp_path / "out.txt", tmp_path / "connect.offsets"
    infile.write_text("".join(x + "\n" for x in lines[:5000]))
    port = free_port()
    (tmp_path / "worker.properties").write_text(
        f"bootstrap.servers={kafka.bootstrap}\n"
        "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
        "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
        f"offset.storage.file.filename={offsets}\n"
        "offset.flush.interval.ms=300\n"
        f"listeners=http://127.0.0.1:{port}\n"
        "consumer.session.timeout.ms=6000\n"
        "consumer.heartbeat.interval.ms=1000\n"
    )
    (tmp_path / "src.properties").write_text(
        f"name=src\nconnector.class=FileStreamSource\nfile={infile}\ntopic={topic_name}\nbatch.size=200\n"
    )
    (tmp_path / "sink.properties").write_text(
        f"name=sink\nconnector.class=org.apache.kafka.connect.file.FileStreamSinkConnector\nfile={outfile}\ntopics={topic_name}\n"
    )

    stop_appending = threading.Event()

    def append_rest() -> None:
        with open(infile, "a") as f:
            for i in range(5000, TOTAL, 500):
                if stop_appending.is_set():
                    return
                f.write("".join(x + "\n" for x in lines[i : i + 500]))
                f.flush()
                time.sleep(0.05)

    proc = _start(tmp_path, "worker1.log")
    appender = threading.Thread(target=append_rest)
    try:
        _wait(lambda: len(_lines(outfile)) >= 3000, 90, "the sink to write 3000 lines")
        appender.start()
        _wait(lambda: len(_lines(outfile)) >= 8000, 60, "8000 lines")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    appender.join()

    before = _lines(outfile)
    # the offsets file survived the crash and holds a committed position
    stored = orjson.loads(offsets.read_bytes())
    import base64

    key = offset_key("src", {"filename": str(infile)})
    committed_pos = orjson.loads(base64.b64decode(stored[base64.b64encode(key).decode()]))["position"]
    # the sink group's committed offset, read through a consumer's OffsetFetch (it does not join the group)
    reader = Consumer({"bootstrap.servers": kafka.bootstrap, "group.id": "connect-sink", "enable.auto.commit": False})
    try:
        committed_sink = reader.committed([TopicPartition(topic_name, 0)], timeout=30)[0].offset
    finally:
        reader.close()
    assert 0 < committed_sink <= len(before)

    proc = _start(tmp_path, "worker2.log")
    try:
        _wait(lambda: set(_lines(outfile)) >= set(lines), 120, "every line in the sink output after restart")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()

    topic = _topic_records(kafka.bootstrap, topic_name)
    assert set(topic) == set(lines), "source lost lines"
    # source duplicates only for lines after its last committed file position
    committed_line = infile.read_bytes()[:committed_pos].count(b"\n")
    seen: set[str] = set()
    for value in topic:
        if value in seen:
            assert int(value.split("-")[1]) >= committed_line, f"{value} duplicated although committed"
        seen.add(value)
    # sink: output = topic[:len(before)] then a replay starting exactly at the committed offset
    after = _lines(outfile)
    assert after[: len(before)] == topic[: len(before)]
    replay = after[len(before) :]
    assert replay == topic[committed_sink : committed_sink + len(replay)]
    assert set(after) == set(lines)
