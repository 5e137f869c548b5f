"""``genesis-worker quickstart``: a throw-away local pipeline in one command.

Starts tansu (an in-memory Kafka-protocol broker, see ``devbroker``), then a standalone worker with two
connectors: ``adlog-demo`` writes sample ad-log JSON events to the topic ``adlog-events``, and
``adlog-file-sink`` reads that topic back and appends each event to ``adlog-events.jsonl``. Prints the
REST URL and where to look; runs until Ctrl-C.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import orjson

from genesis_worker.devbroker import start_tansu, stop_process

TOPIC = "adlog-events"


def write_files(workdir: Path, bootstrap: str, port: int) -> tuple[Path, list[Path]]:
    """Write worker.properties and the two connector files; return their paths."""
    workdir.mkdir(parents=True, exist_ok=True)
    worker = workdir / "worker.properties"
    worker.write_text(
        "\n".join(
            [
                f"bootstrap.servers={bootstrap}",
                "key.converter=org.apache.kafka.connect.storage.StringConverter",
                "value.converter=org.apache.kafka.connect.json.JsonConverter",
                "value.converter.schemas.enable=false",
                f"offset.storage.file.filename={workdir / 'connect.offsets'}",
                "offset.flush.interval.ms=5000",
                f"listeners=http://127.0.0.1:{port}",
                # tansu holds group joins for half the session timeout: keep it short
                "consumer.session.timeout.ms=10000",
                "consumer.heartbeat.interval.ms=1000",
                "",
            ]
        )
    )
    source = workdir / "adlog-demo.json"
    source.write_bytes(
        orjson.dumps(
            {
                "name": "adlog-demo",
                "config": {
                    "connector.class": "genesis.connectors.demo.AdLogDemoSourceConnector",
                    "tasks.max": "1",
                    "topic": TOPIC,
                    "events.per.second": "50",
                },
            },
            option=orjson.OPT_INDENT_2,
        )
    )
    sink = workdir / "adlog-file-sink.json"
    sink.write_bytes(
        orjson.dumps(
            {
                "name": "adlog-file-sink",
                "config": {
                    "connector.class": "FileStreamSink",
                    "tasks.max": "1",
                    "topics": TOPIC,
                    "file": str(workdir / "adlog-events.jsonl"),
                    # read the JSON bytes as text so each line of the file is the event's JSON
                    "value.converter": "org.apache.kafka.connect.storage.StringConverter",
                },
            },
            option=orjson.OPT_INDENT_2,
        )
    )
    return worker, [source, sink]


async def run_quickstart(port: int = 8083, workdir: str | None = None) -> int:
    from genesis_worker.cli import run_standalone

    folder = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="genesis-quickstart-"))
    broker, bootstrap = start_tansu(log_file=folder / "tansu.log") if folder.exists() else start_tansu()
    try:
        worker, connectors = write_files(folder, bootstrap, port)

        def ready(rest: Any, herder: Any) -> None:
            print(
                f"\ngenesis-worker quickstart is running\n"
                f"  broker (tansu, in memory): {bootstrap}\n"
                f"  REST API:                  {rest.url}connectors?expand=status\n"
                f"  demo events topic:         {TOPIC}\n"
                f"  sink output:               {folder / 'adlog-events.jsonl'}\n"
                f"  configs:                   {folder}\n"
                "Press Ctrl-C to stop.\n",
                flush=True,
            )

        return await run_standalone(worker, connectors, on_ready=ready)
    finally:
        await asyncio.get_running_loop().run_in_executor(None, stop_process, broker)
