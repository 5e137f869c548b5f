"""genesis.console.clusters: parsing the list, choosing clusters, qualifying lineage nodes by cluster."""

from __future__ import annotations

import base64

import pytest

from genesis_worker.api.errors import ConfigException
from genesis_worker.genesis.clusters import ClusterRef, Clusters, parse_cluster, parse_clusters, qualify_graph
from genesis_worker.herder.errors import BadRequestException
from genesis_worker.rest.client import Forwarder


def test_entries_are_name_equals_url_or_a_url() -> None:
    assert parse_cluster("east=http://e:8083/") == ClusterRef("east", "http://e:8083")
    assert parse_cluster(" https://w.example:8443/connect ") == ClusterRef(
        "w.example:8443", "https://w.example:8443/connect"
    )
    ref = parse_cluster("west=https://ann:s%40cret@w:8083")
    assert ref.url == "https://w:8083"  # the credentials never show in answers
    assert ref.authorization == "Basic " + base64.b64encode(b"ann:s@cret").decode()
    for bad in ("east=ftp://e:1", "east", "http://e:notaport"):
        with pytest.raises(ConfigException):
            parse_cluster(bad)


def test_this_cluster_is_left_out_and_names_are_unique() -> None:
    refs = parse_clusters(["east=http://e:1", "me=http://x:2", "http://self:8083", ""], "me", "http://self:8083/")
    assert [r.name for r in refs] == ["east"]
    with pytest.raises(ConfigException):
        parse_clusters(["a=http://e:1", "a=http://f:1"], "me", "http://self:8083/")


def test_clusters_param_names_known_clusters() -> None:
    c = Clusters(
        "me", "http://self:8083", [ClusterRef("east", "http://e:1"), ClusterRef("west", "http://w:1")], Forwarder()
    )
    assert [r.name for r in c.select("all")] == ["east", "west"]
    assert [r.name for r in c.select("me,west")] == ["west"]
    assert c.select("me") == []
    with pytest.raises(BadRequestException):
        c.select("north")


def test_topics_and_connectors_are_qualified_by_cluster_other_endpoints_shared() -> None:
    graph = {
        "nodes": [
            {"id": "connector:s", "kind": "connector", "name": "s"},
            {"id": "kafka:clicks", "kind": "endpoint", "system": "kafka", "name": "clicks"},
            {"id": "kafka@dr:clicks", "kind": "endpoint", "system": "kafka", "name": "clicks", "cluster": "dr"},
            {"id": "mongodb:ads.clicks", "kind": "endpoint", "system": "mongodb", "name": "ads.clicks"},
        ],
        "edges": [
            {"from": "kafka:clicks", "to": "connector:s"},
            {"from": "connector:s", "to": "mongodb:ads.clicks"},
            {"from": "connector:s", "to": "kafka@dr:clicks"},
        ],
    }
    nodes, edges = qualify_graph(graph, "east")
    assert [n["id"] for n in nodes] == [
        "connector@east:s",
        "kafka@east:clicks",
        "kafka@dr:clicks",
        "mongodb:ads.clicks",
    ]
    assert nodes[1]["cluster"] == "east" and nodes[2]["cluster"] == "dr"
    assert edges == [
        {"from": "kafka@east:clicks", "to": "connector@east:s"},
        {"from": "connector@east:s", "to": "mongodb:ads.clicks"},
        {"from": "connector@east:s", "to": "kafka@dr:clicks"},
    ]
