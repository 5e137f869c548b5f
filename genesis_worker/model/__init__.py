"""The core value types every layer shares, each defined once (Connect's ``ConnectorTaskId``,
``TargetState``, ``RestartRequest``, ``SessionKey``, the status records and the REST entities of
``org.apache.kafka.connect.runtime.rest.entities``).

This package is the bottom layer: it imports nothing from the rest of ``genesis_worker``.
"""
