"""The console's views in headless Chromium against two live standalone workers on Kafka 4.4, each its own
cluster for the selector ("east" lists "west" in genesis.console.clusters): the pipelines list searched and
filtered (name, owner, ticket, topic, state, lag status), a pipeline's throughput and lag charts and lag
summary, the two-hop lineage of a topic drawn as a graph, and the cluster selector spanning both clusters.
Screenshots go to test-artifacts/console/."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from .browser import graph_nodes, rows, screenshot, start_chromium, text
from .browser import wait_for as browser_wait_for
from .worker_proc import WorkerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

STRING = "org.apache.kafka.connect.storage.StringConverter"
T = TypeVar("T")
WORKERS: list[WorkerProcess] = []

VISIBLE_JS = """return [...document.querySelectorAll('#pipelines tbody tr')].filter((tr) => !tr.hidden)
    .map((tr) => tr.dataset.name);"""
EDGES_JS = """return [...document.querySelectorAll('#lineage-result svg path.edge')]
    .map((p) => [p.dataset.from, p.dataset.to]);"""
CHART_JS = """const s = document.querySelector(arguments[0] + ' svg.chart');
    return s && s.closest('.chart-box').hidden === false
        ? {points: Number(s.dataset.points), dots: s.querySelectorAll('circle.pt').length,
           line: s.querySelector('path.line').getAttribute('d')} : null;"""


def wait_for(what: str, check: Callable[[], T | None], within_s: float = 30.0) -> T:
    def alive() -> None:
        for w in WORKERS:
            w.check_alive()

    return browser_wait_for(what, check, within_s, guard=alive)


def start_worker(kafka: Any, tmp: Path, name: str, extra: dict[str, str]) -> WorkerProcess:
    tmp.mkdir(parents=True, exist_ok=True)
    w = WorkerProcess(
        {
            "bootstrap.servers": kafka.bootstrap,
            "offset.storage.file.filename": str(tmp / "offsets"),
            "key.converter": STRING,
            "value.converter": STRING,
            "offset.flush.interval.ms": "200",
            "listeners": "http://127.0.0.1:0",
            "genesis.cluster.name": name,
            "genesis.lag.sample.interval.ms": "500",
            "genesis.cluster.cache.ms": "0",
            **extra,
        },
        tmp / "worker.log",
    )
    WORKERS.append(w)
    w.start()
    return w


@pytest.fixture
def workers(kafka: Any, tmp_path: Path) -> Iterator[tuple[WorkerProcess, WorkerProcess]]:
    try:
        west = start_worker(kafka, tmp_path / "west", "west", {})
        east = start_worker(kafka, tmp_path / "east", "east", {"genesis.console.clusters": f"west={west.url}"})
        yield east, west
    finally:
        for w in WORKERS:
            w.stop()
        WORKERS.clear()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    driver = start_chromium(tmp_path / "chromium-profile")
    try:
        yield driver
    finally:
        driver.quit()


def create(base: str, name: str, config: dict[str, str]) -> None:
    resp = requests.put(f"{base}/connectors/{name}/config", json=config, timeout=30)
    assert resp.status_code == 201, resp.text


def visible(driver: webdriver.Chrome) -> list[str]:
    names: list[str] = driver.execute_script(VISIBLE_JS)
    return names


def test_console_views(
    workers: tuple[WorkerProcess, WorkerProcess], browser: webdriver.Chrome, tmp_path: Path, topic_name: str
) -> None:
    east, west = workers
    a, b = f"{topic_name}-a", f"{topic_name}-b"
    src_file, out_file = tmp_path / "in.txt", tmp_path / "out.txt"
    src_file.write_text("".join(f"line-{i}\n" for i in range(50)))
    # east: file -> a -> (hop: Kafka sink) -> b -> file, three owners; west: one source of its own
    create(east.url, "src", {"connector.class": "FileStreamSource", "file": str(src_file), "topic": a,
                             "genesis.owner": "ingest", "genesis.ticket": "ING-1"})  # fmt: skip
    create(east.url, "hop", {"connector.class": "KafkaSinkConnector", "topics": a, "target.topic": b,
                             "genesis.owner": "routing", "genesis.ticket": "RT-7"})  # fmt: skip
    create(east.url, "out", {"connector.class": "FileStreamSink", "topics": b, "file": str(out_file),
                             "genesis.owner": "archive", "genesis.ticket": "AR-3"})  # fmt: skip
    create(west.url, "west-src", {"connector.class": "FileStreamSource", "file": str(src_file),
                                  "topic": f"{topic_name}-w", "genesis.owner": "ingest"})  # fmt: skip

    # (1) the list, then each filter hides the rows it does not match
    browser.get(f"{east.url}/genesis/console")
    wait_for("three pipelines listed", lambda: sorted(visible(browser)) == ["hop", "out", "src"])
    search = browser.find_element(By.ID, "filter-text")
    for query, expected in [
        ("owner:routing", ["hop"]),
        ("ticket:AR-3", ["out"]),
        (f"topic:{a}", ["hop", "src"]),  # src writes it, hop reads it
        (f"topic:{b}", ["hop", "out"]),  # hop writes it (its declared lineage), out reads it
        ("name:src", ["src"]),
        ("ingest", ["src"]),  # a bare word matches any field
        ("owner:nobody", []),
    ]:
        search.clear()
        search.send_keys(query)
        wait_for(f"{query!r} to show {expected}", lambda e=expected: sorted(visible(browser)) == e)
        assert len(rows(browser, "#pipelines tbody tr")) == 3  # hidden, not removed
    assert "0 of 3" in text(browser, "#filter-count")
    search.clear()
    search.send_keys(" ")
    Select(browser.find_element(By.ID, "filter-state")).select_by_value("RUNNING")
    wait_for("RUNNING pipelines", lambda: sorted(visible(browser)) == ["hop", "out", "src"])
    # lag status: the sinks get Burrow's status from the leader's samples, a source has none (n/a)
    by_name = wait_for(
        "the sinks' lag status",
        lambda: (
            r
            if (r := {row[0]: row for row in rows(browser, "#pipelines tbody tr")})
            and r["hop"][9] in ("OK", "WARN", "ERR")
            and r["out"][9] in ("OK", "WARN", "ERR")
            else None
        ),
    )
    assert by_name["src"][9] == "n/a"
    Select(browser.find_element(By.ID, "filter-lag")).select_by_value("n/a")
    wait_for("only the source with lag n/a", lambda: visible(browser) == ["src"])
    Select(browser.find_element(By.ID, "filter-lag")).select_by_value(by_name["hop"][9])
    wait_for("the hop among that status", lambda: "hop" in visible(browser) and "src" not in visible(browser))
    assert "lag=" in str(browser.execute_script("return location.hash"))  # the filter is in the link
    screenshot(browser, "pipelines-filtered")

    # (2) a sink's page: lag summary and the charts of the last hour, refreshed as samples come
    browser.get(f"{east.url}/genesis/console#/pipeline/hop")
    wait_for("the lag summary", lambda: "lag status" in text(browser, "#detail-lag"))
    first = wait_for("a throughput chart", lambda: browser.execute_script(CHART_JS, "#chart-throughput"))
    lag_chart = wait_for("a lag chart", lambda: browser.execute_script(CHART_JS, "#chart-lag"))
    assert first["points"] >= 1 and first["dots"] == first["points"] and first["line"].startswith("M")
    assert lag_chart["points"] >= 1 and lag_chart["line"].startswith("M")
    wait_for(
        "the chart refreshed with more points",
        lambda: (c := browser.execute_script(CHART_JS, "#chart-throughput")) and c["points"] > first["points"],
    )
    parts = rows(browser, "#detail-lag table.partitions tbody tr")
    assert parts and parts[0][0] == a and parts[0][2] in ("OK", "WARN", "ERR", "STOP", "STALL", "REWIND")
    screenshot(browser, "pipeline-charts")
    # a source: its produce figures, and the lag chart hidden (a source has no lag)
    browser.get(f"{east.url}/genesis/console#/pipeline/src")
    wait_for("the source's figures", lambda: "produce rate" in text(browser, "#detail-lag"))
    wait_for("the source's throughput chart", lambda: browser.execute_script(CHART_JS, "#chart-throughput"))
    assert browser.find_element(By.ID, "chart-lag").is_displayed() is False

    # (3) the lineage of topic a: two hops downstream, one upstream, as a layered graph
    browser.get(f"{east.url}/genesis/console#/lineage?topic={a}")
    expected_nodes = {
        f"file:{src_file}": -2,
        "connector:src": -1,
        f"kafka:{a}": 0,
        "connector:hop": 1,
        f"kafka:{b}": 2,
        "connector:out": 3,
        f"file:{out_file}": 4,
    }
    wait_for("the lineage graph", lambda: graph_nodes(browser) == expected_nodes)
    chain = list(expected_nodes)
    assert sorted(map(tuple, browser.execute_script(EDGES_JS))) == sorted(itertools.pairwise(chain))
    xs = browser.execute_script(
        "return [...document.querySelectorAll('#lineage-result svg .node')].map((g) => [g.dataset.id, g.getCTM().e]);"
    )
    columns = [x for _, x in sorted(xs, key=lambda n: expected_nodes[n[0]])]
    assert columns == sorted(columns) and len(set(columns)) == 7  # left to right, one column per layer
    screenshot(browser, "lineage-graph")
    # a topic node links to its own lineage: b has hop upstream and out downstream
    browser.find_element(By.CSS_SELECTOR, f"#lineage-result svg .node[data-id='kafka:{b}']").click()
    wait_for("the lineage of b", lambda: graph_nodes(browser).get(f"kafka:{b}") == 0)
    assert graph_nodes(browser)["connector:hop"] == -1 and graph_nodes(browser)["connector:out"] == 1

    # (4) the cluster selector lists both clusters and "all"; all spans them, west alone shows west's
    browser.get(f"{east.url}/genesis/console")
    picker = wait_for(
        "the cluster selector",
        lambda: (
            (s := browser.find_element(By.ID, "cluster-select")).is_displayed() and len(Select(s).options) == 3 and s
        ),
    )
    assert [o.get_attribute("value") for o in Select(picker).options] == ["east", "west", "all"]
    assert Select(picker).first_selected_option.get_attribute("value") == "east"
    Select(picker).select_by_value("all")
    wait_for("every cluster's pipelines", lambda: sorted(visible(browser)) == ["hop", "out", "src", "west-src"])
    clusters = {r[0]: r[11] for r in rows(browser, "#pipelines tbody tr")}
    assert clusters == {"hop": "east", "out": "east", "src": "east", "west-src": "west"}
    screenshot(browser, "clusters-all")
    # the lineage spans the clusters too: one graph per cluster that answers for the topic
    browser.get(f"{east.url}/genesis/console#/lineage?topic={topic_name}-w")
    sections = wait_for(
        "a lineage section per cluster",
        lambda: (
            r
            if len(
                r := browser.execute_script(
                    """return Object.fromEntries([...document.querySelectorAll('#lineage-result section.lineage')]
                        .map((s) => [s.dataset.cluster, [...s.querySelectorAll('svg .node')].map((g) => g.dataset.id)]));"""
                )
            )
            == 2
            else None
        ),
    )
    assert sections == {"east": [], "west": [f"file:{src_file}", "connector:west-src", f"kafka:{topic_name}-w"]}
    screenshot(browser, "lineage-all-clusters")
    assert browser.find_element(By.LINK_TEXT, "west-src").get_attribute("href") == (
        f"{west.url}/genesis/console#/pipeline/west-src"  # another cluster's pipeline: its own console
    )
    browser.get(f"{east.url}/genesis/console")
    Select(browser.find_element(By.ID, "cluster-select")).select_by_value("west")
    wait_for("west's pipelines only", lambda: visible(browser) == ["west-src"])
    link = browser.find_element(By.LINK_TEXT, "west-src").get_attribute("href")
    assert link == f"{west.url}/genesis/console#/pipeline/west-src"

    # (5) without the lag, series, lineage and clusters endpoints (an older worker) the pages still work
    browser.execute_cdp_cmd("Network.enable", {})
    blocked = ["*/genesis/lag*", "*/lag", "*/series*", "*/genesis/clusters*", "*/genesis/lineage*"]
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": blocked})
    browser.execute_script("localStorage.clear()")
    browser.get(f"{east.url}/genesis/console#/pipeline/hop")
    wait_for(
        "the tasks without lag", lambda: ["0", "RUNNING"] in [r[:2] for r in rows(browser, "#detail-body tbody tr")]
    )
    wait_for("lag: n/a", lambda: text(browser, "#detail-lag") == "lag: n/a")
    assert not browser.find_element(By.ID, "chart-throughput").is_displayed()
    assert not browser.find_element(By.ID, "chart-lag").is_displayed()
    browser.get(f"{east.url}/genesis/console")
    wait_for("the list without lag", lambda: sorted(visible(browser)) == ["hop", "out", "src"])
    assert {r[9] for r in rows(browser, "#pipelines tbody tr")} == {"n/a"}
    assert not browser.find_element(By.ID, "cluster-picker").is_displayed()
    screenshot(browser, "degraded")
