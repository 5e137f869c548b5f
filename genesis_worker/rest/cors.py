"""CORS as Connect 4.x configures Jetty 12's ``CrossOriginHandler``.

Installed when ``access.control.allow.origin`` is non-blank: a comma-separated list of ``*`` or regular
expressions matched case-insensitively against the whole ``Origin``. ``access.control.allow.methods``
sets the allowed methods (default ``GET,POST,HEAD``); allowed request headers are ``Content-Type``;
preflight results may be cached 60 s; no ``Access-Control-Allow-Credentials`` (as Connect 4.4 answers,
checked against it in tests/conformance). Every response carries ``Vary: Origin``.
A matching preflight (``OPTIONS`` + ``Access-Control-Request-Method``) gets the CORS headers and is then
answered by the application (delivered, as Connect sets); a non-matching origin simply gets no CORS
headers.
"""

from __future__ import annotations

import re

from aiohttp import web
from aiohttp.typedefs import Middleware

from genesis_worker.api.errors import ConfigException
from genesis_worker.rest.errors import Handler

DEFAULT_METHODS = ("GET", "POST", "HEAD")
ALLOWED_HEADERS = "Content-Type"
MAX_AGE_SECONDS = "60"


class CorsPolicy:
    def __init__(self, allow_origin: str, allow_methods: str = "") -> None:
        self.any_origin = False
        self.patterns: list[re.Pattern[str]] = []
        for item in allow_origin.split(","):
            item = item.strip()
            if not item:
                continue
            if item == "*":
                self.any_origin = True
                break
            try:
                self.patterns.append(re.compile(item, re.IGNORECASE))
            except re.error as e:
                raise ConfigException(
                    f"Invalid value {item} for configuration access.control.allow.origin: {e}"
                ) from None
        methods = [m.strip() for m in allow_methods.split(",") if m.strip()] if allow_methods.strip() else []
        self.methods = ",".join(methods or DEFAULT_METHODS)

    def matches(self, origins: str) -> bool:
        if self.any_origin:
            return True
        for origin in origins.split(" "):
            origin = origin.strip()
            if origin and any(p.fullmatch(origin) for p in self.patterns):
                return True
        return False

    def headers_for(self, request: web.Request) -> dict[str, str]:
        origin = request.headers.get("Origin")
        if origin is None or not self.matches(origin):
            return {}
        headers = {"Access-Control-Allow-Origin": origin}
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            headers["Access-Control-Allow-Methods"] = self.methods
            headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
            headers["Access-Control-Max-Age"] = MAX_AGE_SECONDS
        return headers

    def middleware(self) -> Middleware:
        policy = self

        @web.middleware
        async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
            extra = policy.headers_for(request)
            response = await handler(request)
            response.headers.add("Vary", "Origin")
            for name, value in extra.items():
                response.headers[name] = value
            return response

        return cors
