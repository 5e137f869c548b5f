from genesis_worker.api.lineage import Endpoint, Lineage
from genesis_worker.genesis.lineage import LineageGraph, PipelineView


def graph() -> LineageGraph:
    return LineageGraph(
        [
            PipelineView(
                "adlog-source",
                "source",
                Lineage(inputs=[Endpoint("file", "/var/log/ads.log")], outputs=[Endpoint("kafka", "ad-logs")]),
            ),
            PipelineView(
                "filter-clicks",
                "sink",
                Lineage(
                    inputs=[Endpoint("kafka", "ad-.*", pattern=True)], outputs=[Endpoint("kafka", "${topic}-clicks")]
                ),
                owner="ads-team",
                ticket="ADS-1",
                dlq_topic="dlq-clicks",
            ),
            PipelineView(
                "clicks-to-mongo",
                "sink",
                Lineage(inputs=[Endpoint("kafka", "ad-logs-clicks")], outputs=[Endpoint("mongodb", "ads.clicks")]),
            ),
            PipelineView("unrelated", "sink", Lineage(inputs=[Endpoint("kafka", "other")])),
        ]
    )


def test_readers_and_writers_follow_patterns_and_templates():
    g = graph()
    assert [p.name for p in g.readers("ad-logs")] == ["filter-clicks"]
    assert [p.name for p in g.writers("ad-logs")] == ["adlog-source"]
    assert [p.name for p in g.writers("ad-logs-clicks")] == ["filter-clicks"]
    assert g.readers("nobody-reads-this") == []


def test_downstream_is_transitive_with_the_path_of_pipelines():
    down = g_down = graph().downstream("ad-logs")
    names = {(d["endpoint"]["system"], d["endpoint"]["name"]): d["via"] for d in g_down}
    assert names[("kafka", "ad-logs-clicks")] == ["filter-clicks"]
    assert names[("mongodb", "ads.clicks")] == ["filter-clicks", "clicks-to-mongo"]
    assert names[("kafka", "dlq-clicks")] == ["filter-clicks"]
    assert ("kafka", "other") not in names
    # filter-clicks' regex also matches its own output; the loop is followed once, not forever.
    assert ("kafka", "ad-logs-clicks-clicks") not in names
    assert len(down) == 3


def test_upstream_and_whole_graph():
    g = graph()
    up = {(d["endpoint"]["system"], d["endpoint"]["name"]) for d in g.upstream("ad-logs-clicks")}
    assert ("kafka", "ad-.*") in up
    j = g.to_json()
    ids = {n["id"] for n in j["nodes"]}
    assert {"connector:filter-clicks", "kafka:ad-logs", "mongodb:ads.clicks"} <= ids
    assert {"from": "connector:clicks-to-mongo", "to": "mongodb:ads.clicks"} in j["edges"]
    view = g.for_topic("ad-logs")
    assert view["readers"][0]["owner"] == "ads-team"


def test_active_topics_extend_declared_lineage():
    p = PipelineView("s", "sink", Lineage(inputs=[Endpoint("kafka", "a.*", pattern=True)]), active_topics=["a1"])
    assert Endpoint("kafka", "a1") in p.inputs()


def test_topic_graph_follows_writers_upstream_hop_by_hop():
    sub = graph().for_topic("ads.clicks", "mongodb")["graph"]
    layers = {n["id"]: n["layer"] for n in sub["nodes"]}
    assert layers == {
        "kafka:ad-.*": -4,
        "connector:filter-clicks": -3,
        "kafka:ad-logs-clicks": -2,
        "connector:clicks-to-mongo": -1,
        "mongodb:ads.clicks": 0,
    }
    assert [(e["from"], e["to"]) for e in sub["edges"]] == [
        ("connector:clicks-to-mongo", "mongodb:ads.clicks"),
        ("kafka:ad-logs-clicks", "connector:clicks-to-mongo"),
        ("connector:filter-clicks", "kafka:ad-logs-clicks"),
        ("kafka:ad-.*", "connector:filter-clicks"),
    ]


def test_topic_graph_follows_two_hops_downstream_with_templates_resolved():
    sub = graph().for_topic("ad-logs")["graph"]
    layers = {n["id"]: n["layer"] for n in sub["nodes"]}
    assert layers["file:/var/log/ads.log"] == -2 and layers["connector:adlog-source"] == -1
    assert layers["connector:filter-clicks"] == 1 and layers["kafka:ad-logs-clicks"] == 2
    assert layers["kafka:dlq-clicks"] == 2
    assert layers["connector:clicks-to-mongo"] == 3 and layers["mongodb:ads.clicks"] == 4
    assert "connector:unrelated" not in layers
    assert {"from": "kafka:ad-logs-clicks", "to": "connector:clicks-to-mongo"} in sub["edges"]
    assert next(n for n in sub["nodes"] if n["id"] == "connector:filter-clicks")["owner"] == "ads-team"
