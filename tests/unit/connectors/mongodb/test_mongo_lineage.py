"""What the MongoDB connectors declare they read and write (the lineage view)."""

from __future__ import annotations

from genesis_connectors.mongodb import MongoSinkConnector, MongoSourceConnector
from genesis_worker.api.lineage import Endpoint


def test_sink_lineage() -> None:
    lin = MongoSinkConnector().lineage({"topics": "clicks,views", "database": "ads"})
    assert lin.inputs == [Endpoint("kafka", "clicks"), Endpoint("kafka", "views")]
    assert lin.outputs == [Endpoint("mongodb", "ads.clicks"), Endpoint("mongodb", "ads.views")]
    lin = MongoSinkConnector().lineage({"topics": "clicks", "database": "ads", "collection": "all"})
    assert lin.outputs == [Endpoint("mongodb", "ads.all")]


def test_source_lineage() -> None:
    lin = MongoSourceConnector().lineage({"database": "ads", "collection": "clicks", "topic.prefix": "mongo"})
    assert lin.inputs == [Endpoint("mongodb", "ads.clicks")]
    assert lin.outputs == [Endpoint("kafka", "mongo.ads.clicks")]
    lin = MongoSourceConnector().lineage({"database": "ads"})
    assert lin.inputs == [Endpoint("mongodb", "ads.*", pattern=True)]
    assert lin.outputs == [Endpoint("kafka", "${namespace}", pattern=True)]
