"""Demo connectors for the quickstart."""

from genesis_connectors.demo.adlog import AdLogDemoSourceConnector, AdLogDemoSourceTask

__all__ = ["AdLogDemoSourceConnector", "AdLogDemoSourceTask"]
