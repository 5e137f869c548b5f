"""Demo connectors for the quickstart."""

from connectors.demo.adlog import AdLogDemoSourceConnector, AdLogDemoSourceTask

__all__ = ["AdLogDemoSourceConnector", "AdLogDemoSourceTask"]
