"""The HTTP client one worker uses to reach another (Java ``RestClient``): one pooled session per REST
server, answers and Connect error bodies turned into results or :class:`ConnectRestException`."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any

import aiohttp
import orjson

from genesis_worker.herder.errors import ConnectRestException

NO_BODY = object()  # default of request(): send no body


class Forwarder:
    """The HTTP client used to reach other workers (one pooled session per REST server)."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None, timeout_s: float = 90.0) -> None:
        self._ssl = ssl_context
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(ssl=self._ssl if self._ssl is not None else True)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def request(
        self,
        url: str,
        method: str,
        body: Any = NO_BODY,
        authorization: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Any]:
        """Send one request; return (status, parsed JSON or None) for 2xx, raise the remote error otherwise."""
        headers = {**(extra_headers or {}), "Accept": "application/json", "User-Agent": "kafka-connect"}
        data: bytes | None = None
        if body is not NO_BODY and body is not None:
            data = orjson.dumps(body)
            headers["Content-Type"] = "application/json"
        if authorization is not None:
            headers["Authorization"] = authorization
        try:
            async with self._client().request(method, url, data=data, headers=headers, allow_redirects=False) as resp:
                raw = await resp.read()
                status = resp.status
        except (aiohttp.ClientError, OSError, TimeoutError) as e:
            raise ConnectRestException(500, f"IO Error trying to forward REST request: {e or type(e).__name__}") from e
        if status == 204:
            return status, None
        if 200 <= status < 300:
            try:
                return status, (orjson.loads(raw) if raw.strip() else None)
            except orjson.JSONDecodeError as e:
                raise ConnectRestException(500, f"IO Error trying to forward REST request: {e}") from e
        if status >= 400:
            try:
                err = orjson.loads(raw)
                if not isinstance(err, dict):
                    raise ValueError("error body is not a JSON object")
            except ValueError as e:
                raise ConnectRestException(500, f"IO Error trying to forward REST request: {e}") from e
            code = err.get("error_code")
            raise ConnectRestException(status, err.get("message"), code if isinstance(code, int) else status)
        raise ConnectRestException(500, f"Unexpected status code when handling forwarded request: {status}")
