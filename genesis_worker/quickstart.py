"""``genesis-worker quickstart``: a throw-away local pipeline in one command.

Starts tansu (an in-memory Kafka-protocol broker, see ``devbroker``), then a standalone worker with three
connectors, each with an owner and a ticket: ``adlog-demo`` writes sample ad-log JSON events to the topic
``adlog-events``; ``adlog-clicks`` (the Kafka-to-Kafka sink) keeps the clicks and conversions, stamps
them with a processing time and writes them to ``adlog-clicks``; ``adlog-file-sink`` appends those to
``adlog-clicks.jsonl``. Prints the REST, console and metrics URLs; runs until Ctrl-C.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import orjson

from genesis_worker.devbroker import start_tansu, stop_process
from genesis_worker.launch import run_standalone

TOPIC = "adlog-events"
CLICKS_TOPIC = "adlog-clicks"
OWNER = {"genesis.owner": "quickstart@example.com", "genesis.ticket": "DEMO-1"}


def write_files(workdir: Path, bootstrap: str, port: int) -> tuple[Path, list[Path]]:
    """Write worker.properties and the three connector files; return their paths."""
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
                    "genesis.description": "Sample ad-log events (impressions, clicks, conversions)",
                    **OWNER,
                },
            },
            option=orjson.OPT_INDENT_2,
        )
    )
    clicks = workdir / "adlog-clicks.json"
    clicks.write_bytes(
        orjson.dumps(
            {
                "name": "adlog-clicks",
                "config": {
                    "connector.class": "KafkaSinkConnector",
                    "tasks.max": "1",
                    "topics": TOPIC,
                    "target.topic": CLICKS_TOPIC,
                    # the JSON bytes go through untouched; the connector parses only what the filter reads
                    "value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
                    "key.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
                    "filter.condition": 'value.type in ["click", "conversion"]',
                    "inject.timestamp.field": "processed_at",
                    "inject.timestamp.source": "wallclock",
                    "genesis.description": "Clicks and conversions for the analysts",
                    **OWNER,
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
                    "topics": CLICKS_TOPIC,
                    "file": str(workdir / "adlog-clicks.jsonl"),
                    # read the JSON bytes as text so each line of the file is the event's JSON
                    "value.converter": "org.apache.kafka.connect.storage.StringConverter",
                    **OWNER,
                },
            },
            option=orjson.OPT_INDENT_2,
        )
    )
    return worker, [source, clicks, sink]


async def run_quickstart(port: int = 8083, workdir: str | None = None) -> int:
    folder = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="genesis-quickstart-"))
    broker, bootstrap = start_tansu(log_file=folder / "tansu.log") if folder.exists() else start_tansu()
    try:
        worker, connectors = write_files(folder, bootstrap, port)

        def ready(rest: Any, herder: Any) -> None:
            print(
                f"\ngenesis-worker quickstart is running\n"
                f"  broker (tansu, in memory): {bootstrap}\n"
                f"  web console:               {rest.url}genesis/console\n"
                f"  REST API:                  {rest.url}connectors?expand=status\n"
                f"  metrics:                   {rest.url}genesis/metrics  (Prometheus: {rest.url}metrics)\n"
                f"  lineage:                   {rest.url}genesis/lineage?topic={TOPIC}\n"
                f"  pipeline:                  {TOPIC} -> [adlog-clicks: clicks and conversions] -> {CLICKS_TOPIC}\n"
                f"  sink output:               {folder / 'adlog-clicks.jsonl'}\n"
                f"  configs:                   {folder}\n"
                "Press Ctrl-C to stop.\n",
                flush=True,
            )

        return await run_standalone(worker, connectors, on_ready=ready)
    finally:
        await asyncio.get_running_loop().run_in_executor(None, stop_process, broker)
