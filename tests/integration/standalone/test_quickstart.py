"""``genesis-worker quickstart`` (tansu + demo source -> Kafka-to-Kafka click filter -> file sink) produces the
filtered, stamped JSON lines, every pipeline has an owner, and it stops on SIGINT."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import orjson
import pytest

from tests.fixtures.net import free_port

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]


def test_quickstart_runs_until_ctrl_c(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "genesis_worker", "quickstart", "--port", str(port), "--dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(str(ROOT / d) for d in (".", "connectors", "transforms"))},
    )
    out = tmp_path / "adlog-clicks.jsonl"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (out.exists() and len(out.read_bytes().splitlines()) >= 5):
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            time.sleep(0.2)
        events = [orjson.loads(line) for line in out.read_bytes().splitlines()[:5]]
        assert all(e["type"] in ("click", "conversion") for e in events)  # the filter dropped impressions
        assert all(isinstance(e["processed_at"], int) for e in events)  # injected by the Kafka-to-Kafka sink
        base = f"http://127.0.0.1:{port}"
        status = orjson.loads(urllib.request.urlopen(f"{base}/connectors?expand=status").read())
        assert status["adlog-demo"]["status"]["tasks"][0]["state"] == "RUNNING"
        assert status["adlog-clicks"]["status"]["tasks"][0]["state"] == "RUNNING"
        assert status["adlog-file-sink"]["status"]["type"] == "sink"
        pipelines = orjson.loads(urllib.request.urlopen(f"{base}/genesis/pipelines").read())
        assert {p["name"]: p["owner"] for p in pipelines} == dict.fromkeys(
            ("adlog-clicks", "adlog-demo", "adlog-file-sink"), "quickstart@example.com"
        )
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            output = proc.communicate(timeout=30)[0].decode()
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert "genesis-worker quickstart is running" in output
    assert f"http://127.0.0.1:{port}/genesis/console" in output
    assert proc.returncode == 0
