"""Endpoint handlers, one module per resource family; each exports ``ROUTES`` for the route table."""

from __future__ import annotations

from genesis_worker.rest.routes import Route


def connect_routes() -> list[Route]:
    """Every route of the Connect REST API plus the genesis OpenAPI document, in documentation order."""
    from genesis_worker.rest.handlers import connectors, internal, loggers, offsets, plugins, root

    return [
        *root.ROUTES,
        *connectors.ROUTES,
        *offsets.ROUTES,
        *plugins.ROUTES,
        *loggers.ROUTES,
        *internal.ROUTES,
    ]
