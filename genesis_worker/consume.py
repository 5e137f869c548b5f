"""Reading a batch from a librdkafka consumer the way Java's ``KafkaConsumer.poll`` does.

confluent-kafka's ``Consumer.consume(n, timeout)`` returns only when ``n`` messages are there or the whole
``timeout`` has passed, so a quiet topic costs the full timeout per call: a config write took 150-200 ms
to read back, and a sink saw each small batch up to 0.5 s late. :func:`consume_available` waits only for
the first message and then takes what is already fetched."""

from __future__ import annotations

from typing import Any


def consume_available(consumer: Any, max_messages: int, timeout_s: float) -> list[Any]:
    """Up to ``max_messages`` messages (events such as partition EOF included): wait at most ``timeout_s``
    for the first, then return the rest that is already fetched without waiting."""
    first = consumer.poll(timeout_s)
    if first is None:
        return []
    if max_messages <= 1:
        return [first]
    rest = consumer.consume(max_messages - 1, 0)
    return [first, *rest] if rest else [first]
