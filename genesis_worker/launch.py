"""Running a worker process: a standalone or distributed herder with its REST server, until stopped.

Used by the ``genesis-worker`` command (:mod:`genesis_worker.cli`) and by ``genesis-worker quickstart``.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from genesis_worker.api.errors import ConnectException
from genesis_worker.config.properties import load_properties_file
from genesis_worker.config.worker_config import WorkerConfig
from genesis_worker.genesis.layer import GenesisLayer
from genesis_worker.herder.base import Herder
from genesis_worker.herder.distributed import from_worker_config
from genesis_worker.herder.standalone import StandaloneHerder
from genesis_worker.rest.server import start_rest_server

log = logging.getLogger("genesis_worker")

__all__ = ["load_connector_file", "run_distributed", "run_standalone"]


def load_connector_file(path: str | Path) -> tuple[str, dict[str, str]]:
    """(name, config) from a connector ``.properties`` or ``.json`` file."""
    p = Path(path)
    if p.suffix.lower() == ".json":
        data: Any = orjson.loads(p.read_bytes())
        if isinstance(data, dict) and isinstance(data.get("config"), dict):
            config = {k: None if v is None else str(v) for k, v in data["config"].items()}
            name = str(data.get("name") or config.get("name") or "")
        elif isinstance(data, dict):
            config = {k: None if v is None else str(v) for k, v in data.items()}
            name = str(config.get("name") or "")
        else:
            raise ConnectException(f"{p}: expected a JSON object")
    else:
        config = dict(load_properties_file(p))
        name = config.get("name") or ""
    if not name:
        raise ConnectException(f"{p}: connector configuration has no 'name'")
    config.setdefault("name", name)
    return name, {k: v for k, v in config.items() if v is not None}


def _install_signal_handlers(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass


async def run_standalone(
    worker_properties: str | Path,
    connector_files: Sequence[str | Path] = (),
    *,
    stop: asyncio.Event | None = None,
    on_ready: Any = None,
) -> int:
    """Run a standalone worker until ``stop`` is set (or SIGINT/SIGTERM)."""
    config = WorkerConfig.from_file(worker_properties, "standalone")
    return await _serve(StandaloneHerder(config), config, stop, connector_files, on_ready)


async def run_distributed(worker_properties: str | Path, *, stop: asyncio.Event | None = None) -> int:
    """Run a distributed worker (the one place that wires the distributed herder)."""
    config = WorkerConfig.from_file(worker_properties, "distributed")
    return await _serve(from_worker_config(config), config, stop)


async def _serve(
    herder: Herder,
    config: WorkerConfig,
    stop: asyncio.Event | None,
    connector_files: Sequence[str | Path] = (),
    on_ready: Any = None,
) -> int:
    """Compose the worker (herder, Genesis layer, REST server), create the connector files' connectors and
    serve until ``stop`` is set (or SIGINT/SIGTERM); 1 if a connector file failed."""
    genesis = GenesisLayer.attach(herder, config)
    stop = stop or asyncio.Event()
    _install_signal_handlers(stop)
    # side by side (each reads its topics back); the history is read before the REST server serves changes
    await asyncio.gather(herder.start(), genesis.start())
    rest = await start_rest_server(
        herder, config.originals, extra_routes=genesis.routes, extra_middlewares=genesis.middlewares
    )
    log.info("REST server listening at %s, advertising URL %s", getattr(rest, "urls", None), rest.url)
    code = 0
    try:
        for f in connector_files:
            name, props = load_connector_file(f)
            created = await genesis.put_connector_file(herder, name, props, str(f))
            log.info("%s connector %s", "Created" if created else "Updated", name)
        if on_ready is not None:
            on_ready(rest, herder)
        await stop.wait()
    except Exception as e:
        log.error("Stopping after connector errors: %s", e)
        code = 1
    finally:
        log.info("Kafka Connect stopping")
        await rest.stop()
        await genesis.stop()
        await herder.stop()
        log.info("Kafka Connect stopped")
    return code
