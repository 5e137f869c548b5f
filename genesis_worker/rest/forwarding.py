"""Leader forwarding (Java ``HerderRequestHandler.completeOrForwardRequest`` + ``RestClient``).

A forwardable endpoint runs its herder call through :func:`complete_or_forward`. When the herder says
"not the leader" / "not the owner" the same request is re-issued to the target worker with the hidden
``forward`` query parameter (``true`` on the first hop, ``false`` on the second); the target's answer is
relayed. Only the ``Authorization`` header is copied; the body is the re-serialised parsed request. The
HTTP client that re-issues it is :class:`genesis_worker.rest.client.Forwarder`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from aiohttp import web

from genesis_worker.herder.errors import ConflictException, RebalanceNeededException, RequestTargetException
from genesis_worker.rest.client import NO_BODY, Forwarder
from genesis_worker.rest.context import context

T = TypeVar("T")

NO_LEADER = "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was underway."
TOO_MANY_HOPS = "Cannot complete request because of a conflicting operation (e.g. worker rebalance)"
STALE_CONFIG = (
    "Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)"
)
_PATH_SAFE = "/!$&'()*+,;=:@-._~"


def encode_path(path: str) -> str:
    """Percent-encode a path the way ``UriBuilder.path`` does (slashes kept)."""
    return quote(path, safe=_PATH_SAFE)


def forward_url(target: str, path: str, forward: bool, query: Mapping[str, str] | None = None) -> str:
    params = [("forward", "true" if forward else "false"), *(query or {}).items()]
    return target.rstrip("/") + encode_path(path) + "?" + urlencode(params)


async def complete_or_forward(
    request: web.Request,
    forwarder: Forwarder,
    work: Awaitable[T],
    *,
    path: str,
    body: Any = NO_BODY,
    query: Mapping[str, str] | None = None,
) -> tuple[Any, int | None]:
    """Run ``work``; on a routing error forward the request. Returns (result, remote status or None)."""
    raw_forward = request.query.get("forward")
    forward = None if raw_forward is None else raw_forward.lower() == "true"
    try:
        return await work, None
    except RequestTargetException as e:
        if forward is None or forward:
            if e.url is None:
                raise ConflictException(NO_LEADER) from None
            url = forward_url(e.url, path, forward is None, query)
            status, result = await forwarder.request(url, request.method, body, request.headers.get("Authorization"))
            if request.method != "GET":
                # read-your-writes on this worker: the leader wrote the change, our view may lag a fetch behind
                await context(request).herder.catch_up()
            return result, status
        raise ConflictException(TOO_MANY_HOPS) from None
    except RebalanceNeededException:
        raise ConflictException(STALE_CONFIG) from None
