"""genesis-worker distributed workers as child processes (``python -m genesis_worker.cli distributed``),
for the end-to-end tests: they can be SIGKILLed like a crashed machine."""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

from tests.fixtures.net import HOST, free_port
from tests.fixtures.proc import REPO_ROOT, ServerProcess, wait_until, write_properties


class GenesisWorker(ServerProcess):
    """One distributed worker on a free REST port; ``props`` are its worker properties."""

    name = "genesis-worker"
    start_timeout = 60.0
    stop_timeout = 20.0

    def __init__(self, props: Mapping[str, object]) -> None:
        super().__init__()
        self.port = free_port()
        self.config_path = self.tmp_dir / "worker.properties"
        self.log_path = self.stdout_path
        self.props: dict[str, object] = {
            **props,
            "listeners": f"http://{HOST}:{self.port}",
            "rest.advertised.host.name": HOST,
        }

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def worker_id(self) -> str:
        return f"{HOST}:{self.port}"

    def _prepare(self) -> None:
        write_properties(self.config_path, self.props)

    def _argv(self) -> Sequence[str]:
        return [sys.executable, "-m", "genesis_worker.cli", "--log-level", "INFO", "distributed", str(self.config_path)]

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [*(str(REPO_ROOT / d) for d in (".", "connectors", "transforms")), env.get("PYTHONPATH", "")]
        ).rstrip(os.pathsep)
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def _wait_ready(self) -> None:
        # /health answers 200 once the worker has joined the cluster and applied its first assignment
        wait_until(lambda: self.request("GET", "/health")[0] == 200, self.start_timeout, "GET /health 200", self)

    def request(self, method: str, path: str, body: Any = None, timeout: float = 30.0) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw)
            except ValueError:
                return e.code, raw.decode(errors="replace")
