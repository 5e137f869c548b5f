"""genesis-worker: a Python-native drop-in replacement for an Apache Kafka Connect worker."""

__version__ = "0.1.0"
