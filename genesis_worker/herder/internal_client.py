"""Worker-to-worker REST calls (Java ``RestClient`` as used by ``DistributedHerder``): a follower that
runs a connector hands its new task configs to the leader through ``POST /connectors/{c}/tasks``,
signed with the session key when the group runs protocol ``sessioned``.

    await post_task_configs(session, "http://leader:8083/", "my-sink", configs, key, "HmacSHA256")
"""

from __future__ import annotations

from urllib.parse import quote

import aiohttp
import orjson

from genesis_worker.herder.errors import ConnectRestException
from genesis_worker.herder.session_keys import sign_request
from genesis_worker.model.session_key import SessionKey


def connector_url(base_url: str, connector: str, *parts: str) -> str:
    """``<base>/connectors/<connector>/<parts...>`` with the name path-escaped (base may end with '/')."""
    path = "/".join(["connectors", quote(connector, safe=""), *parts])
    return base_url.rstrip("/") + "/" + path


async def post_task_configs(
    session: aiohttp.ClientSession,
    leader_url: str,
    connector: str,
    configs: list[dict[str, str]],
    key: SessionKey | None,
    algorithm: str,
    *,
    timeout_s: float = 30.0,
) -> None:
    """Send task configs to the leader; raises :class:`ConnectRestException` with the leader's status
    and message when it refuses them, or ``ConnectRestException(500, "IO Error ...")`` if unreachable."""
    body = orjson.dumps(configs)
    headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "kafka-connect"}
    if key is not None:
        headers.update(sign_request(key, algorithm, body))
    url = connector_url(leader_url, connector, "tasks") + "?forward=true"
    try:
        async with session.post(url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout_s)) as r:
            if r.status < 400:
                return
            raw = await r.read()
    except (aiohttp.ClientError, TimeoutError) as e:
        raise ConnectRestException(500, f"IO Error trying to forward REST request: {e}") from e
    message: str | None
    error_code = r.status
    try:
        parsed = orjson.loads(raw)
        message = parsed.get("message") if isinstance(parsed, dict) else raw.decode("utf-8", "replace")
        if isinstance(parsed, dict) and isinstance(parsed.get("error_code"), int):
            error_code = parsed["error_code"]
    except orjson.JSONDecodeError:
        message = raw.decode("utf-8", "replace")
    raise ConnectRestException(r.status, message, error_code)
