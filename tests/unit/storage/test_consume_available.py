"""consume_available: wait only for the first message, then take what is already fetched."""

from __future__ import annotations

from typing import Any

from genesis_worker.consume import consume_available


class FakeConsumer:
    """Records the calls; ``queued`` is what librdkafka already fetched."""

    def __init__(self, queued: list[str]) -> None:
        self.queued = list(queued)
        self.calls: list[tuple[str, Any, float]] = []

    def poll(self, timeout: float) -> str | None:
        self.calls.append(("poll", 1, timeout))
        return self.queued.pop(0) if self.queued else None

    def consume(self, n: int, timeout: float) -> list[str]:
        self.calls.append(("consume", n, timeout))
        out, self.queued = self.queued[:n], self.queued[n:]
        return out


def test_first_message_waited_for_the_rest_taken_without_waiting() -> None:
    c = FakeConsumer(["a", "b", "c"])
    assert consume_available(c, 2, 0.5) == ["a", "b"]
    assert c.calls == [("poll", 1, 0.5), ("consume", 1, 0)]  # never consume(n, timeout): it waits it out
    assert consume_available(c, 10, 0.5) == ["c"]
    assert consume_available(c, 10, 0.5) == []
    assert c.calls[-1] == ("poll", 1, 0.5)


def test_batch_of_one_is_a_single_poll() -> None:
    c = FakeConsumer(["a", "b"])
    assert consume_available(c, 1, 0.1) == ["a"]
    assert c.calls == [("poll", 1, 0.1)]
