"""Who did what: the REST middleware that writes one audit record per change.

A change reaches a cluster through one REST request, which a client sends to one worker; that worker
either applies it (its herder call succeeds there) or forwards it to the worker that must (Connect's
leader, or the connector's owner for a restart), which may forward it once more. The record is written
once, by **the worker that applied the change**, after its herder call succeeded: a worker that forwarded
the request (the core marks it with ``rest.context.FORWARDED_TO``) writes nothing, so a client cannot
skip the record by calling a worker with ``?forward=`` itself.

The **actor** is decided on the worker the client talked to and travels with the forwarded request:

1. the principal a REST authentication extension put on the request (``rest.context.PRINCIPAL``, e.g.
   Basic authentication; forwarded requests carry the client's ``Authorization``, so the applying worker
   authenticates the same user);
2. on a forwarded request (``?forward=``), the actor the first worker saw, in the ``X-Genesis-Actor`` and
   ``X-Genesis-Actor-Source`` headers it added (``rest.context.FORWARD_HEADERS``);
3. the value of the request header named by ``genesis.actor.header`` (set by a trusted proxy);
4. the client's address.

Without authentication these come from headers a client could set: put the workers behind a proxy that
sets ``genesis.actor.header`` and strips ``X-Genesis-Actor*``.

**What changed** comes from the applying worker's config store: the connector's config before the call
and the one Connect answers with (the stored config). A worker that forwarded a change waits until its own
history has read the applying worker's record back, so a history read there right after shows it.

Connector files given to ``genesis-worker standalone`` are recorded by the CLI through
:meth:`AuditRecorder.write` (actor: the OS user that started the worker, ``actor_source`` ``connector-file``).

A request that fails (4xx/5xx, or an error the herder raised) records nothing. If the history log cannot
be written the change stands and the failure is logged (the client is not told).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import orjson
from aiohttp import web
from aiohttp.typedefs import Middleware

from genesis_worker.genesis.history import HistoryRecord
from genesis_worker.genesis.history_log import HistoryLog
from genesis_worker.herder.base import Herder
from genesis_worker.rest.context import FORWARD_HEADERS, FORWARDED_TO, PRINCIPAL, context
from genesis_worker.rest.errors import Handler

log = logging.getLogger(__name__)

ACTOR_HEADER_CONFIG = "genesis.actor.header"
FORWARDED_ACTOR = "X-Genesis-Actor"
FORWARDED_ACTOR_SOURCE = "X-Genesis-Actor-Source"

_CONNECTOR = "/connectors/{connector}"
_ACTIONS: dict[tuple[str, str], str] = {
    ("POST", "/connectors"): "created",
    ("PUT", f"{_CONNECTOR}/config"): "created",  # or updated: 200 instead of 201
    ("PATCH", f"{_CONNECTOR}/config"): "updated",
    ("DELETE", _CONNECTOR): "deleted",
    ("PUT", f"{_CONNECTOR}/pause"): "paused",
    ("PUT", f"{_CONNECTOR}/resume"): "resumed",
    ("PUT", f"{_CONNECTOR}/stop"): "stopped",
    ("POST", f"{_CONNECTOR}/restart"): "restarted",
    ("POST", f"{_CONNECTOR}/tasks/{{task}}/restart"): "restarted",
    ("PATCH", f"{_CONNECTOR}/offsets"): "offsets_altered",
    ("DELETE", f"{_CONNECTOR}/offsets"): "offsets_reset",
}
_CONFIG_CHANGES = ("created", "updated", "deleted")


def change_action(request: web.Request) -> str | None:
    """The history action a request makes if it succeeds here (None: not a change)."""
    if request.match_info.http_exception is not None:
        return None
    resource = request.match_info.route.resource
    if resource is None:
        return None
    path = resource.canonical
    if path.endswith("/") and path != "/":
        path = path[:-1]
    return _ACTIONS.get((request.method, path))


def actor_of(request: web.Request, header: str | None) -> tuple[str | None, str]:
    """(actor, where it came from): the authenticated principal, the actor a forwarding worker saw, the
    configured header, the client address (see the module doc)."""
    principal = request.get(PRINCIPAL)
    if principal:
        return str(principal), "principal"
    forwarded = request.headers.get(FORWARDED_ACTOR, "").strip()
    if forwarded and "forward" in request.query:
        return forwarded, request.headers.get(FORWARDED_ACTOR_SOURCE, "").strip() or "header"
    if header:
        value = request.headers.get(header, "").strip()
        if value:
            return value, "header"
    return request.remote, "address"


def config_of(herder: Herder, name: str) -> dict[str, str | None] | None:
    """The connector's config as this worker's config store has it now (None: no such connector)."""
    config = herder.config_store.state.connector_configs.get(name)
    return dict(config) if config is not None else None


def _answer(response: web.StreamResponse) -> Any:
    body = response.body if isinstance(response, web.Response) else None
    if not isinstance(body, bytes | bytearray) or not body:
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


async def _details(request: web.Request, action: str) -> dict[str, Any]:
    if action == "restarted":
        task = request.match_info.get("task")
        if task is not None:
            return {"task": task}
        return {k: request.query.get(k, "false").strip().lower() == "true" for k in ("includeTasks", "onlyFailed")}
    if action == "offsets_altered":
        try:
            body = orjson.loads(await request.read())  # cached: the handler read it already
        except orjson.JSONDecodeError:
            return {}
        return {"offsets": body.get("offsets")} if isinstance(body, dict) else {}
    return {}


class AuditRecorder:
    """Writes the history record of every change this worker applies (see the module doc)."""

    def __init__(self, history_log: HistoryLog, worker_id: str | None, actor_header: str | None) -> None:
        self.log = history_log
        self.worker_id = worker_id
        self.actor_header = actor_header or None

    def middleware(self) -> Middleware:
        recorder = self

        @web.middleware
        async def audit(request: web.Request, handler: Handler) -> web.StreamResponse:
            action = change_action(request)
            if action is None:
                return await handler(request)
            herder = context(request).herder
            name = request.match_info.get("connector")
            old = config_of(herder, name) if name is not None and action in _CONFIG_CHANGES else None
            actor, source = actor_of(request, recorder.actor_header)
            if actor:
                request[FORWARD_HEADERS] = {FORWARDED_ACTOR: actor, FORWARDED_ACTOR_SOURCE: source}
            response = await handler(request)
            if response.status >= 300:
                return response
            try:
                if FORWARDED_TO in request:  # applied (and recorded) by the worker it was forwarded to
                    await recorder.log.catch_up()
                else:
                    await recorder.record(request, response, herder, action, name, old, (actor, source))
            except Exception:
                log.exception("The history record of %s %s could not be written", request.method, request.path)
            return response

        return audit

    async def record(
        self,
        request: web.Request,
        response: web.StreamResponse,
        herder: Herder,
        action: str,
        name: str | None,
        old: Mapping[str, str | None] | None,
        actor: tuple[str | None, str],
    ) -> None:
        answer = _answer(response)
        if name is None:  # POST /connectors: the name is in the answer
            name = answer.get("name") if isinstance(answer, dict) else None
            if not name:
                return
        if action == "created" and request.method == "PUT" and response.status == 200:
            action = "updated"
        new: dict[str, str | None] | None = None
        if action != "deleted":
            stored = answer.get("config") if isinstance(answer, dict) and action in _CONFIG_CHANGES else None
            new = dict(stored) if isinstance(stored, dict) else config_of(herder, name)
        await self.write(name, action, old, new, actor[0], actor[1], await _details(request, action))

    async def write(
        self,
        name: str,
        action: str,
        old: Mapping[str, str | None] | None,
        new: Mapping[str, str | None] | None,
        actor: str | None,
        actor_source: str,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Append the record of one change (an update that changed nothing is not one)."""
        record = HistoryRecord.of(
            name,
            action,
            old=old,
            new=new,
            actor=actor,
            actor_source=actor_source,
            worker=self.worker_id,
            details=details,
        )
        if action == "updated" and not record.changes:
            return
        await self.log.append(record)
