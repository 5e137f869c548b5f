"""``response.http.headers.config``: extra headers on every response of the main listeners.

Rules are comma separated (double quotes protect commas), each ``<action> <name>: <value>`` with action
``set``, ``add``, ``setDate`` or ``addDate`` (Jetty's ``HeaderFilter`` as configured by Connect). The
``*Date`` actions take a millisecond offset from now and write an HTTP date. Headers the endpoint sets
itself win over ``set`` rules, as with the servlet filter that runs before the resource.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.utils import formatdate

from aiohttp import web

from genesis_worker.api.errors import ConfigException

ACTIONS = ("set", "add", "setDate", "addDate")


@dataclass(frozen=True)
class HeaderRule:
    action: str
    name: str
    value: str

    def render(self, now_ms: float) -> str:
        if self.action in ("setDate", "addDate"):
            return formatdate((now_ms + int(self.value)) / 1000, usegmt=True)
        return self.value


def csv_split(text: str) -> list[str]:
    """Jetty ``StringUtil.csvSplit``: split on commas outside double quotes, trim, unquote."""
    out: list[str] = []
    buf: list[str] = []
    quoted = False
    escaped = False
    for ch in text:
        if quoted:
            if escaped:
                buf.append(ch)
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
            else:
                buf.append(ch)
        elif ch == '"':
            quoted = True
        elif ch == ",":
            out.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
    tail = "".join(buf).strip()
    if tail or out:
        out.append(tail)
    return [item for item in out if item]


def parse_header_rule(config: str) -> HeaderRule:
    tokens = config.strip().split(None, 1)
    if len(tokens) != 2:
        raise ConfigException(
            f"Invalid format of header config '{config}'. Expected: '[action] [header name]:[header value]'"
        )
    action = next((a for a in ACTIONS if a.lower() == tokens[0].strip().lower()), None)
    if action is None:
        raise ConfigException(f"Invalid header config action: '{tokens[0].strip()}'. Expected one of {list(ACTIONS)}")
    pair = tokens[1].strip().split(":")
    if len(pair) != 2:
        raise ConfigException(
            f"Invalid format of header name and header value pair '{tokens[1]}'. "
            "Expected: '[header name]:[header value]'"
        )
    name = pair[0].strip()
    if not name or any(c.isspace() for c in name):
        raise ConfigException(f"Invalid header name '{name}'. The '[header name]' cannot contain whitespace")
    value = pair[1].strip()
    if action in ("setDate", "addDate"):
        try:
            int(value)
        except ValueError:
            raise ConfigException(f"Invalid date offset '{value}' in header config '{config}'") from None
    return HeaderRule(action, name, value)


def parse_header_config(text: str) -> list[HeaderRule]:
    if not text.strip():
        return []
    return [parse_header_rule(item) for item in csv_split(text)]


ResponseHook = Callable[[web.Request, web.StreamResponse], Awaitable[None]]


def header_hook(rules: list[HeaderRule]) -> ResponseHook:
    """An ``on_response_prepare`` callback that applies ``rules``."""

    async def apply(request: web.Request, response: web.StreamResponse) -> None:
        now_ms = time.time() * 1000
        preset = {name.lower() for name in response.headers}
        for rule in rules:
            if rule.name.lower() in preset:
                continue
            if rule.action.startswith("set"):
                response.headers[rule.name] = rule.render(now_ms)
            else:
                response.headers.add(rule.name, rule.render(now_ms))

    return apply
