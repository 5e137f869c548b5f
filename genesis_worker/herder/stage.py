"""What the herder is doing now (Java's ``TickThreadStage``), for REST time-out messages and health."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime


class Stage:
    """The current or last stage: its description, when it began and (once done) when it ended."""

    def __init__(self) -> None:
        self.current: tuple[str, float, float | None] | None = None

    @contextlib.contextmanager
    def __call__(self, description: str) -> Iterator[None]:
        self.current = (description, time.time(), None)
        try:
            yield
        finally:
            began = self.current[1] if self.current else time.time()
            self.current = (description, began, time.time())

    def running_for(self) -> float | None:
        """Seconds the unfinished stage has run (None when no stage is running)."""
        if self.current is None or self.current[2] is not None:
            return None
        return time.time() - self.current[1]

    def summary(self) -> str | None:
        if self.current is None:
            return None
        description, began, ended = self.current
        if ended is None:
            return f"The worker is currently {description}, which began at {_iso(began)}."
        return (
            f"The last operation the worker completed was {description}, which began at {_iso(began)} "
            f"and completed at {_iso(ended)}."
        )


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
