"""Benchmarks: genesis-worker against the raw-client ceiling, Java Kafka Connect 4.4 and Python peers.

Run everything with ``.venv/bin/python -m benchmarks.run`` (see benchmarks/README.md).
"""
