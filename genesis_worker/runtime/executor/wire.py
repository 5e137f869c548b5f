"""The wire between the worker and an executor process: length-prefixed pickled frames on a stream socket.

Both ends are our own processes (the worker spawns the executor), so ``pickle`` is safe here and carries
bytes, enums and dataclasses as they are. A frame is ``(kind, id, op, payload)``:

- ``req``: a request; the other end runs its handler and answers ``rep`` (the result) or ``err`` (a
  message) with the same id;
- ``note``: a one-way notification (task states, metric snapshots), handled in order of arrival.

:class:`Channel` does both directions on one asyncio stream pair; nothing blocks the loop.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import pickle
import struct
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

_HEADER = struct.Struct(">I")
MAX_FRAME = 256 * 1024 * 1024

RequestHandler = Callable[[str, Any], Awaitable[Any]]
NoteHandler = Callable[[str, Any], None]


class ChannelClosed(ConnectionError):
    """The other process closed its end (it exited or was killed)."""


class RemoteError(Exception):
    """The other end's handler raised; the message names the original exception."""


class Channel:
    """Requests, replies and notifications over one stream pair. :meth:`run` reads until the other end closes."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._handlers: set[asyncio.Task[None]] = set()
        self.closed = False

    def _send(self, frame: tuple[str, int, str, Any]) -> None:
        if self.closed:
            raise ChannelClosed("the channel is closed")
        data = pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)
        self.writer.write(_HEADER.pack(len(data)) + data)

    def notify(self, op: str, payload: Any = None) -> None:
        """Send a one-way notification (dropped when the channel is closed)."""
        if not self.closed:
            self._send(("note", 0, op, payload))

    async def request(self, op: str, payload: Any = None, wait_s: float | None = None) -> Any:
        """Send a request and wait for its reply; :class:`RemoteError` if the handler failed."""
        rid = next(self._ids)
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        try:
            self._send(("req", rid, op, payload))
            await self.writer.drain()
            return await asyncio.wait_for(fut, wait_s)
        finally:
            self._pending.pop(rid, None)

    async def run(self, on_request: RequestHandler, on_note: NoteHandler) -> None:
        """Dispatch frames until the other end closes; then fail every pending request."""
        try:
            while True:
                try:
                    header = await self.reader.readexactly(_HEADER.size)
                    (size,) = _HEADER.unpack(header)
                    if size > MAX_FRAME:
                        raise ChannelClosed(f"frame of {size} bytes")
                    kind, rid, op, payload = pickle.loads(await self.reader.readexactly(size))
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                if kind == "note":
                    try:
                        on_note(op, payload)
                    except Exception:
                        log.exception("Handling %s failed", op)
                elif kind == "req":
                    t = asyncio.create_task(self._answer(rid, op, payload, on_request))
                    self._handlers.add(t)
                    t.add_done_callback(self._handlers.discard)
                else:
                    fut = self._pending.get(rid)
                    if fut is not None and not fut.done():
                        if kind == "rep":
                            fut.set_result(payload)
                        else:
                            fut.set_exception(RemoteError(payload))
        finally:
            self.close()

    async def _answer(self, rid: int, op: str, payload: Any, on_request: RequestHandler) -> None:
        try:
            result = await on_request(op, payload)
            frame: tuple[str, int, str, Any] = ("rep", rid, op, result)
        except Exception as e:
            frame = ("err", rid, op, f"{type(e).__name__}: {e}")
        if not self.closed:
            self._send(frame)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(ChannelClosed("the executor process is gone"))
        for t in self._handlers:
            t.cancel()
        self.writer.close()
