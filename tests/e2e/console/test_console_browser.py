"""The web console in a real headless Chromium against a real standalone worker on Kafka 4.4 that requires
ownership: the pipelines table, a pipeline created through the generated form (refused without an owner,
created with one, data flowing), the detail page with tasks and history, pause, lineage and delete."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from .browser import graph_nodes, rows, screenshot, start_chromium, text
from .browser import wait_for as browser_wait_for
from .worker_proc import WorkerProcess

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

STRING = "org.apache.kafka.connect.storage.StringConverter"
SINK_CLASS = "org.apache.kafka.connect.file.FileStreamSinkConnector"
N_LINES = 20
T = TypeVar("T")

WORKERS: list[WorkerProcess] = []  # the running worker, for rest() and wait_for() to notice a crash


def wait_for(what: str, check: Callable[[], T | None], within_s: float = 20.0) -> T:
    return browser_wait_for(what, check, within_s, guard=WORKERS[-1].check_alive if WORKERS else None)


@pytest.fixture
def worker(kafka: Any, tmp_path: Path) -> Iterator[WorkerProcess]:
    w = WorkerProcess(
        {
            "bootstrap.servers": kafka.bootstrap,
            "offset.storage.file.filename": str(tmp_path / "offsets"),
            "key.converter": STRING,
            "value.converter": STRING,
            "offset.flush.interval.ms": "200",
            "listeners": "http://127.0.0.1:0",
            "genesis.ownership.required": "true",
        },
        tmp_path / "worker.log",
    )
    try:
        w.start()
        WORKERS.append(w)
        yield w
    finally:
        WORKERS.clear()
        w.stop()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    driver = start_chromium(tmp_path / "chromium-profile")
    try:
        yield driver
    finally:
        driver.quit()


def rest(method: str, url: str, body: Any = None) -> tuple[int, Any]:
    try:
        resp = requests.request(method, url, json=body, timeout=30)
    except requests.ConnectionError:
        WORKERS[-1].check_alive()  # a dead worker says so (and how it died) rather than "connection refused"
        raise
    ctype = resp.headers.get("Content-Type", "")
    return resp.status_code, (resp.json() if resp.text and "json" in ctype else resp.text)


def lineage_names(driver: webdriver.Chrome, heading: str) -> list[str]:
    links = driver.find_elements(By.XPATH, f"//div[@id='lineage-result']//h3[.='{heading}']/following-sibling::*[1]//a")
    return [a.text for a in links]


def test_console_in_chromium(worker: WorkerProcess, browser: webdriver.Chrome, tmp_path: Path, topic_name: str) -> None:
    base = worker.url
    src_file, out_file = tmp_path / "in.txt", tmp_path / "out.txt"
    src_file.write_text("".join(f"line-{i}\n" for i in range(N_LINES)))
    source = {
        "connector.class": "FileStreamSource",
        "file": str(src_file),
        "topic": topic_name,
        "genesis.owner": "ads-team",
        "genesis.ticket": "ADS-1",
    }
    assert rest("POST", f"{base}/connectors", {"name": "src", "config": source})[0] == 201

    # (1) the pipelines table lists the source with its owner, ticket and state
    browser.get(f"{base}/genesis/console")
    assert browser.title == "Genesis console"
    src_row = wait_for(
        "the src row RUNNING",
        lambda: next((r for r in rows(browser, "#pipelines tbody tr") if r[0] == "src" and r[2] == "RUNNING"), None),
    )
    assert src_row[1] == "source" and src_row[3] == "1/1"
    assert src_row[4:6] == ["ads-team", "ADS-1"]
    assert browser.find_element(By.ID, "pipelines-empty").is_displayed() is False

    # (2) new pipeline: the form comes from the sink's ConfigDef
    browser.find_element(By.CSS_SELECTOR, "nav a[data-view='editor']").click()
    wait_for("the editor", lambda: browser.find_element(By.ID, "view-editor").is_displayed())
    wait_for(
        "the plugin list", lambda: browser.find_elements(By.CSS_SELECTOR, f"#f-class option[value='{SINK_CLASS}']")
    )
    Select(browser.find_element(By.ID, "f-class")).select_by_value(SINK_CLASS)
    file_input = wait_for(
        "the sink's `file` field",
        lambda: next(iter(browser.find_elements(By.CSS_SELECTOR, "#fields input[data-key='file']")), None),
    )
    assert "Destination filename" in text(browser, "#fields")
    assert not browser.find_elements(By.CSS_SELECTOR, "#fields input[data-key='topic']")  # the source's key is gone
    browser.find_element(By.ID, "f-name").send_keys("sink")
    file_input.send_keys(str(out_file))
    # a sink needs `topics` (a framework key, not in the plugin's ConfigDef): the form offers it for sinks
    browser.find_element(By.CSS_SELECTOR, "#fields input[data-key='topics']").send_keys(topic_name)
    assert browser.find_elements(By.CSS_SELECTOR, "#fields input[data-key='topics.regex']")

    # without an owner: Validate and Save both show the ownership error, and nothing is created
    browser.find_element(By.ID, "validate").click()
    msg = wait_for("the validate result", lambda: text(browser, "#editor-result"))
    assert "error" in msg and "genesis.owner" in msg, msg
    assert "error" in (browser.find_element(By.ID, "editor-result").get_attribute("class") or "")
    browser.execute_script("document.querySelector('#editor-result').textContent = ''")
    browser.find_element(By.ID, "save").click()
    msg = wait_for("the save result", lambda: text(browser, "#editor-result"))
    assert "genesis.owner" in msg, msg
    assert rest("GET", f"{base}/connectors/sink")[0] == 404
    assert rest("GET", f"{base}/connectors")[1] == ["src"]

    # with owner and ticket: Save creates it and opens its page
    browser.find_element(By.ID, "f-owner").send_keys("ads-team")
    browser.find_element(By.ID, "f-ticket").send_keys("ADS-2")
    browser.find_element(By.ID, "save").click()
    wait_for("the sink's page", lambda: browser.execute_script("return location.hash") == "#/pipeline/sink")
    status, config = rest("GET", f"{base}/connectors/sink/config")
    assert status == 200, config
    assert config["genesis.owner"] == "ads-team" and config["genesis.ticket"] == "ADS-2"
    assert config["connector.class"] == SINK_CLASS and config["file"] == str(out_file)
    assert config["topics"] == topic_name
    wait_for(
        f"{N_LINES} lines in the sink's file",
        lambda: out_file.exists() and len(out_file.read_text().splitlines()) == N_LINES,
        within_s=30,
    )
    assert out_file.read_text().splitlines() == [f"line-{i}" for i in range(N_LINES)]

    # (3) detail page: tasks and history; Pause
    assert browser.find_element(By.ID, "view-detail").is_displayed()
    assert text(browser, "#detail-name") == "sink"
    wait_for(
        "task 0 RUNNING on the detail page",
        lambda: ["0", "RUNNING"] in [r[:2] for r in rows(browser, "#detail-body tbody tr")],
    )
    assert "owner ads-team" in text(browser, "#detail-body") and "ticket ADS-2" in text(browser, "#detail-body")
    created = wait_for("'created' in the history", lambda: rows(browser, "#history tbody tr"))
    assert [r[1:4] for r in created] == [["created", "ads-team", "ADS-2"]]
    browser.find_element(By.CSS_SELECTOR, "#view-detail button[data-action='pause']").click()
    wait_for(
        "REST status PAUSED", lambda: rest("GET", f"{base}/connectors/sink/status")[1]["connector"]["state"] == "PAUSED"
    )

    def history_after_pause() -> list[list[str]] | None:
        h = rows(browser, "#history tbody tr")
        return h if h and h[0][1] == "paused" else None

    hist = wait_for("'paused' in the history", history_after_pause)
    assert [r[1] for r in hist] == ["paused", "created"]  # newest first
    wait_for("PAUSED on the page", lambda: "connector PAUSED" in text(browser, "#detail-body"))
    assert hist[0][4] == "127.0.0.1"  # the actor: no authentication nor actor header, the client's address

    # the history's diff view: an update shows its changed key, old -> new
    config = rest("GET", f"{base}/connectors/sink/config")[1]
    assert rest("PUT", f"{base}/connectors/sink/config", {**config, "genesis.description": "orders"})[0] == 200

    def history_after_update() -> list[list[str]] | None:
        h = rows(browser, "#history tbody tr")
        return h if h and h[0][1] == "updated" else None

    updated = wait_for("'updated' in the history", history_after_update)
    assert updated[0][5] == "genesis.description: unset → orders"
    screenshot(browser, "history-diff")

    # the pipelines page shows both, then the screenshot
    browser.find_element(By.CSS_SELECTOR, "nav a[data-view='pipelines']").click()

    def both_listed() -> list[list[str]] | None:
        r = rows(browser, "#pipelines tbody tr")
        return r if len(r) == 2 else None

    table = wait_for("both pipelines listed", both_listed)
    by_name = {r[0]: r for r in table}
    assert by_name["sink"][1:3] == ["sink", "PAUSED"] and by_name["sink"][4:6] == ["ads-team", "ADS-2"]
    screenshot(browser, "pipelines")

    # (4) lineage for the topic: the source writes it, the sink reads it
    browser.find_element(By.CSS_SELECTOR, "nav a[data-view='lineage']").click()
    topic_input = wait_for("the lineage form", lambda: browser.find_element(By.ID, "lineage-topic"))
    topic_input.send_keys(topic_name)
    browser.find_element(By.CSS_SELECTOR, "#lineage-form button[type='submit']").click()
    wait_for("the lineage result", lambda: lineage_names(browser, "Read by"))
    assert lineage_names(browser, "Read by") == ["sink"]
    assert lineage_names(browser, "Written by") == ["src"]
    nodes = graph_nodes(browser)
    assert nodes == {
        f"file:{src_file}": -2,
        "connector:src": -1,
        f"kafka:{topic_name}": 0,
        "connector:sink": 1,
        f"file:{out_file}": 2,
    }
    screenshot(browser, "lineage")

    # (5) delete from the detail page, accepting the confirm dialog
    browser.find_element(By.LINK_TEXT, "sink").click()
    wait_for("the sink's page", lambda: text(browser, "#detail-name") == "sink" and text(browser, "#history tbody"))
    browser.find_element(By.CSS_SELECTOR, "#view-detail button[data-action='delete']").click()
    alert = WebDriverWait(browser, 10).until(expected_conditions.alert_is_present(), "no confirm dialog")
    assert alert is not False
    assert alert.text == "Delete pipeline sink?"
    alert.accept()
    wait_for("sink deleted via REST", lambda: rest("GET", f"{base}/connectors/sink")[0] == 404)
    wait_for("back on the pipelines page", lambda: browser.find_element(By.ID, "view-pipelines").is_displayed())
    wait_for("only src listed", lambda: [r[0] for r in rows(browser, "#pipelines tbody tr")] == ["src"])
    assert rest("GET", f"{base}/connectors")[1] == ["src"]
