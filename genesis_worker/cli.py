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
import sys
from collections.abc import Sequence

from genesis_worker.api.errors import ConnectException
from genesis_worker.launch import run_distributed, run_standalone
from genesis_worker.quickstart import run_quickstart

__all__ = ["main"]


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
        return asyncio.run(run_quickstart(port=args.port, workdir=args.dir))
    except ConnectException as e:
        print(f"genesis-worker: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
