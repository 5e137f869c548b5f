"""The built-in converters, described without importing them (see :mod:`genesis_worker.api.catalog`);
``tests/unit/runtime/test_plugin_catalog.py`` checks this list against the classes."""

from genesis_worker.api.catalog import PluginEntry

_M = "genesis_worker.runtime.converters."

PLUGINS: tuple[PluginEntry, ...] = (
    PluginEntry(_M + "avro", "AvroConverter", "converter", ("io.confluent.connect.avro.AvroConverter",)),
    PluginEntry(
        _M + "number", "BooleanConverter", "converter", ("org.apache.kafka.connect.converters.BooleanConverter",)
    ),
    PluginEntry(
        _M + "number", "DoubleConverter", "converter", ("org.apache.kafka.connect.converters.DoubleConverter",)
    ),
    PluginEntry(_M + "number", "FloatConverter", "converter", ("org.apache.kafka.connect.converters.FloatConverter",)),
    PluginEntry(
        _M + "number", "IntegerConverter", "converter", ("org.apache.kafka.connect.converters.IntegerConverter",)
    ),
    PluginEntry(_M + "number", "LongConverter", "converter", ("org.apache.kafka.connect.converters.LongConverter",)),
    PluginEntry(_M + "number", "ShortConverter", "converter", ("org.apache.kafka.connect.converters.ShortConverter",)),
    PluginEntry(
        _M + "bytearray", "ByteArrayConverter", "converter", ("org.apache.kafka.connect.converters.ByteArrayConverter",)
    ),
    PluginEntry(_M + "json", "JsonConverter", "converter", ("org.apache.kafka.connect.json.JsonConverter",)),
    PluginEntry(_M + "string", "StringConverter", "converter", ("org.apache.kafka.connect.storage.StringConverter",)),
    PluginEntry(
        _M + "header",
        "SimpleHeaderConverter",
        "header_converter",
        ("org.apache.kafka.connect.storage.SimpleHeaderConverter",),
    ),
)
