"""A real standalone genesis worker (StandaloneHerder + Genesis layer + REST server) in its own process.

Run as ``python -m tests.e2e.console.worker_proc PROPS_JSON``: it prints ``URL <rest url>`` once serving and
runs until SIGTERM. A separate process keeps the synchronous browser driver from blocking the worker's event
loop, and a worker that crashes (even in native code) fails the test instead of killing pytest.
"""

from __future__ import annotations

import asyncio
import faulthandler
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT_S = 60.0


async def _serve(props: dict[str, str]) -> None:
    from genesis_worker.config.worker_config import WorkerConfig
    from genesis_worker.genesis.layer import GenesisLayer
    from genesis_worker.herder.standalone import StandaloneHerder
    from genesis_worker.rest.server import start_rest_server

    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    config = WorkerConfig(props, "standalone")
    herder = StandaloneHerder(config)
    genesis = GenesisLayer.attach(herder, config)
    await herder.start()
    await genesis.start()
    server = await start_rest_server(herder, props, extra_routes=genesis.routes, extra_middlewares=genesis.middlewares)
    print(f"URL {server.url.rstrip('/')}", flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()
        await genesis.stop()
        await herder.stop()


class WorkerProcess:
    """``start()`` -> the REST base URL; ``check_alive()`` raises if it died; ``stop()`` ends it."""

    def __init__(self, props: dict[str, str], log_path: Path) -> None:
        self.props = props
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self._log: IO[bytes] | None = None

    def start(self) -> str:
        self._log = self.log_path.open("wb")
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(
                    None, [*(str(ROOT / d) for d in (".", "connectors", "transforms")), os.environ.get("PYTHONPATH")]
                )
            ),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.console.worker_proc", json.dumps(self.props)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self._log,
        )
        assert self.proc.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline().decode()
            if line.startswith("URL "):
                self.url = line.split(" ", 1)[1].strip()
                return self.url
            if not line and self.proc.poll() is not None:
                break
        raise AssertionError(f"the worker did not start (exit code {self.proc.poll()}):\n{self.log_tail()}")

    def log_tail(self, n: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])

    def check_alive(self) -> None:
        assert self.proc is not None
        code = self.proc.poll()
        if code is not None:
            how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
            raise AssertionError(f"the worker process died ({how}); its log ends with:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self._log is not None:
            self._log.close()


if __name__ == "__main__":
    faulthandler.enable(all_threads=True)  # a native crash leaves the Python stacks in the log
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve(json.loads(sys.argv[1])))
