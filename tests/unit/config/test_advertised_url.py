"""The worker's advertised REST URL, computed in one place for the herder (worker id) and the REST server."""

from genesis_worker.config.worker_config import WorkerConfig, advertised_url, local_host_address, worker_id_of


def config(**props: str) -> WorkerConfig:
    converters = {"key.converter": "StringConverter", "value.converter": "StringConverter"}
    return WorkerConfig({"offset.storage.file.filename": "/tmp/x", **converters, **props})


def test_bound_port_replaces_port_zero() -> None:
    wc = config(listeners="http://127.0.0.1:0")
    url = wc.advertised_url([("http", "127.0.0.1", 4321)])
    assert url == "http://127.0.0.1:4321/" and worker_id_of(url) == "127.0.0.1:4321"
    assert config(**{"rest.advertised.host.name": "w1", "rest.advertised.port": "9"}).rest_url == "http://w1:9/"


def test_protocol_host_and_port_as_connect_chooses_them() -> None:
    # http when a listener is http (Connect's determineAdvertisedProtocol), whatever the order
    assert config(listeners="https://h1:9443,http://h2:8083").rest_url == "http://h2:8083/"
    assert config(listeners="https://h1:9443").rest_url == "https://h1:9443/"
    assert config(listeners="https://h1:9443,http://h2:8083", **{"rest.advertised.listener": "HTTPS"}).rest_url == (
        "https://h1:9443/"
    )
    # a wildcard listener advertises this machine's address; IPv6 hosts are bracketed, worker ids are not
    assert config(listeners="http://0.0.0.0:8083").rest_url == f"http://{local_host_address()}:8083/"
    url = advertised_url([("http", "::1", 8083)], protocol=None, host=None, port=None)
    assert url == "http://[::1]:8083/" and worker_id_of(url) == "::1:8083"
