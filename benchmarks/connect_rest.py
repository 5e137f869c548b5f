"""A few Kafka Connect REST calls the benchmarks make against both Java Connect and genesis-worker."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import requests

SESSION = requests.Session()


def create(
    url: str, name: str, config: Mapping[str, Any], timeout: float = 30.0, retry_409: float = 30.0, **extra: Any
) -> None:
    """``POST /connectors``; a 409 (rebalance in progress / no leader yet) is retried for ``retry_409`` s."""
    deadline = time.monotonic() + retry_409
    while True:
        r = SESSION.post(f"{url}/connectors", json={"name": name, "config": dict(config), **extra}, timeout=timeout)
        if r.status_code in (200, 201):
            return
        if r.status_code == 409 and time.monotonic() < deadline:
            time.sleep(0.05)
            continue
        raise RuntimeError(f"POST /connectors {name}: {r.status_code} {r.text[:500]}")


def delete(url: str, name: str, timeout: float = 30.0) -> None:
    r = SESSION.delete(f"{url}/connectors/{name}", timeout=timeout)
    if r.status_code not in (200, 204, 404):
        raise RuntimeError(f"DELETE /connectors/{name}: {r.status_code} {r.text[:500]}")


def status(url: str, name: str, timeout: float = 10.0) -> dict[str, Any] | None:
    r = SESSION.get(f"{url}/connectors/{name}/status", timeout=timeout)
    if r.status_code != 200:
        return None
    body: dict[str, Any] = r.json()
    return body


def is_running(st: Mapping[str, Any] | None, tasks: int) -> bool:
    if not st or st.get("connector", {}).get("state") != "RUNNING":
        return False
    ts = st.get("tasks", [])
    return len(ts) >= tasks and all(t.get("state") == "RUNNING" for t in ts)


def failed_trace(st: Mapping[str, Any] | None) -> str | None:
    if not st:
        return None
    for part in [st.get("connector", {}), *st.get("tasks", [])]:
        if part.get("state") == "FAILED":
            return str(part.get("trace", "FAILED"))[:2000]
    return None


def wait_running(url: str, name: str, tasks: int, timeout: float = 60.0, interval: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    st: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        try:
            st = status(url, name)
        except requests.RequestException:
            st = None
        if is_running(st, tasks):
            return
        trace = failed_trace(st)
        if trace:
            raise RuntimeError(f"{name} FAILED: {trace}")
        time.sleep(interval)
    raise TimeoutError(f"{name} not RUNNING with {tasks} task(s) after {timeout:.0f}s: {st}")
