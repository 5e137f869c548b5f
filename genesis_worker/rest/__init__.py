"""The Kafka Connect REST API (aiohttp), served for a :class:`~genesis_worker.herder.base.Herder`.

Entry point: :func:`genesis_worker.rest.server.start_rest_server`. The API is declared once in a route
table (:mod:`genesis_worker.rest.routes`) that registers the handlers and generates the OpenAPI document
(``GET /genesis/openapi.json``).
"""
