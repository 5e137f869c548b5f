"""Leader forwarding (Java ``HerderRequestHandler.completeOrForwardRequest`` + ``RestClient``).

A forwardable endpoint runs its herder call through
:func:`~genesis_worker.rest.handlers.common.complete_or_forward`. When the herder says
"not the leader" / "not the owner" the same request is re-issued to the target worker with the hidden
``forward`` query parameter (``true`` on the first hop, ``false`` on the second); the target's answer is
relayed. Only the ``Authorization`` header is copied; the body is the re-serialised parsed request.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote, urlencode

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
