"""Logger levels for ``/admin/loggers`` (Java ``Loggers`` on Log4j 2) mapped onto Python ``logging``.

Connect's logger names map 1:1 to Python logger names; ``root`` (case-insensitive, or "") is the root
logger. Levels use Log4j's names::

    OFF > FATAL(=CRITICAL) > ERROR > WARN(=WARNING) > INFO > DEBUG > TRACE(5) > ALL(1)

A level between two names is shown as the lower name (a logger at 15 emits INFO and part of DEBUG:
"DEBUG"). One :class:`Loggers` per process (:func:`worker_loggers`) also serves cluster-scope changes a
herder applies when it reads a ``logger-cluster-*`` record.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

ROOT = "root"
LEVELS: dict[str, int] = {
    "OFF": logging.CRITICAL + 50,
    "FATAL": logging.CRITICAL,
    "ERROR": logging.ERROR,
    "WARN": logging.WARNING,
    "INFO": logging.INFO,
    "DEBUG": logging.DEBUG,
    "TRACE": 5,
    "ALL": 1,
}
_BY_VALUE = sorted(((v, k) for k, v in LEVELS.items()), reverse=True)


def is_root(name: str) -> bool:
    return name == "" or name.lower() == ROOT


def parse_level(text: str) -> int | None:
    """Log4j ``Level.getLevel``: a known name (case-insensitive, trimmed) or None."""
    return LEVELS.get(text.strip().upper())


def level_name(value: int) -> str:
    for v, name in _BY_VALUE:
        if value >= v:
            return name
    return "ALL"


class Loggers:
    """Reads and changes Python logger levels; remembers when this API last changed each one."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._last_modified: dict[str, int] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _current() -> dict[str, logging.Logger]:
        found: dict[str, logging.Logger] = {ROOT: logging.getLogger()}
        for name, lg in list(logging.Logger.manager.loggerDict.items()):
            if isinstance(lg, logging.Logger):
                found[name] = lg
        return found

    def _level(self, name: str, lg: logging.Logger) -> dict[str, Any]:
        return {"level": level_name(lg.getEffectiveLevel()), "last_modified": self._last_modified.get(name)}

    def all_levels(self) -> dict[str, dict[str, Any]]:
        """Every known logger (root as ``root``) except those turned OFF, sorted by name."""
        with self._lock:
            current = self._current()
            out = {}
            for name in sorted(current):
                entry = self._level(name, current[name])
                if entry["level"] != "OFF":
                    out[name] = entry
            return out

    def level(self, name: str) -> dict[str, Any] | None:
        """LoggerLevel of an existing logger (effective level), or None if no such logger exists."""
        with self._lock:
            if is_root(name):
                return self._level(ROOT, logging.getLogger())
            lg = self._current().get(name)
            return None if lg is None else self._level(name, lg)

    def set_level(self, namespace: str, level: str) -> list[str]:
        """Set ``namespace`` and every existing logger whose name starts with it (plain prefix, as
        Connect); ``root`` sets every logger. Returns the sorted names of all matched loggers."""
        value = parse_level(level)
        if value is None:
            raise ValueError(f"invalid log level '{level}'.")
        with self._lock:
            current = self._current()
            if is_root(namespace):
                targets = dict(current)
            else:
                targets = {n: lg for n, lg in current.items() if n.startswith(namespace) and n != ROOT}
                if namespace not in targets:
                    targets[namespace] = logging.getLogger(namespace)
            now = int(self._clock() * 1000)
            for name, lg in targets.items():
                if lg.getEffectiveLevel() != value:
                    lg.setLevel(value)
                    self._last_modified[name] = now
            return sorted(targets)


_WORKER_LOGGERS = Loggers()


def worker_loggers() -> Loggers:
    """The process-wide instance shared by the REST API and cluster-scope logger records."""
    return _WORKER_LOGGERS
