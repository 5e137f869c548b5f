"""The ``genesis-worker`` command, like Kafka's ``connect-standalone`` / ``connect-distributed``.

    genesis-worker standalone worker.properties [connector1.properties|.json ...]
    genesis-worker distributed worker.properties
    genesis-worker quickstart

Connector files are ``.properties`` or JSON (either a flat config map or ``{"name": ..., "config": {...}}``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from genesis_worker.api.errors import ConnectException
from genesis_worker.config.properties import load_properties_file
from genesis_worker.config.worker_config import WorkerConfig

log = logging.getLogger("genesis_worker")

__all__ = ["load_connector_file", "main", "run_distributed", "run_standalone"]


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
    from genesis_worker.genesis.layer import GenesisLayer
    from genesis_worker.herder.standalone import StandaloneHerder
    from genesis_worker.rest.server import start_rest_server

    config = WorkerConfig.from_file(worker_properties, "standalone")
    herder = StandaloneHerder(config)
    genesis = GenesisLayer.attach(herder, config)
    stop = stop or asyncio.Event()
    _install_signal_handlers(stop)
    await herder.start()
    await genesis.start()
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


async def run_distributed(worker_properties: str | Path, *, stop: asyncio.Event | None = None) -> int:
    """Run a distributed worker (the one place that wires the distributed herder)."""
    try:
        from genesis_worker.herder import distributed as distributed_mod
    except ImportError:
        print(
            "genesis-worker: distributed mode is not yet available in this build "
            "(genesis_worker.herder.distributed is missing); use 'genesis-worker standalone'",
            file=sys.stderr,
        )
        return 2
    from genesis_worker.genesis.layer import GenesisLayer
    from genesis_worker.rest.server import start_rest_server

    config = WorkerConfig.from_file(worker_properties, "distributed")
    factory = getattr(distributed_mod, "from_worker_config", None)
    if factory is None:
        print(
            "genesis-worker: distributed mode is not wired yet "
            "(genesis_worker.herder.distributed.from_worker_config(WorkerConfig) is missing)",
            file=sys.stderr,
        )
        return 2
    herder = await factory(config) if asyncio.iscoroutinefunction(factory) else factory(config)
    genesis = GenesisLayer.attach(herder, config)
    stop = stop or asyncio.Event()
    _install_signal_handlers(stop)
    await herder.start()
    await genesis.start()
    rest = await start_rest_server(
        herder, config.originals, extra_routes=genesis.routes, extra_middlewares=genesis.middlewares
    )
    try:
        await stop.wait()
    finally:
        await rest.stop()
        await genesis.stop()
        await herder.stop()
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="genesis-worker", description="A Python Kafka Connect worker")
    p.add_argument("--log-level", default="INFO", help="root log level (default INFO)")
    sub = p.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("standalone", help="run a standalone worker (like connect-standalone)")
    s.add_argument("worker_properties")
    s.add_argument("connector_files", nargs="*")
    d = sub.add_parser("distributed", help="run a distributed worker (like connect-distributed)")
    d.add_argument("worker_properties")
    q = sub.add_parser("quickstart", help="local broker + demo pipelines, until Ctrl-C")
    q.add_argument("--port", type=int, default=8083, help="REST port (default 8083)")
    q.add_argument("--dir", default=None, help="working folder (default: a temporary one)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, str(args.log_level).upper(), logging.INFO),
        format="[%(asctime)s] %(levelname)s %(message)s (%(name)s)",
    )
    try:
        if args.mode == "standalone":
            return asyncio.run(run_standalone(args.worker_properties, args.connector_files))
        if args.mode == "distributed":
            return asyncio.run(run_distributed(args.worker_properties))
        from genesis_worker.quickstart import run_quickstart

        return asyncio.run(run_quickstart(port=args.port, workdir=args.dir))
    except ConnectException as e:
        print(f"genesis-worker: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
