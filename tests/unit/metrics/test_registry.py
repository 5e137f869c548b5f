from genesis_worker.metrics.registry import WorkerMetrics
from genesis_worker.metrics.task_metrics import ErrorCounts, TaskMetrics


def test_prometheus_exposition_uses_connect_names_and_labels():
    wm = WorkerMetrics("w1")
    sink = wm.register(TaskMetrics("orders-sink", 0, "sink"))
    src = wm.register(TaskMetrics("clicks-src", 1, "source"))
    sink.records_read, sink.records_written = 10, 9
    sink.error_reader = lambda: ErrorCounts(errors=2, dlq_sent=1)
    src.records_written = 7
    sink.lag_reader = lambda: {("orders", 0): 5, ("orders", 1): 2}
    text = wm.exposition().decode()
    assert 'kafka_connect_sink_task_sink_record_read_total{connector="orders-sink",task="0"} 10.0' in text
    assert 'kafka_connect_sink_task_sink_record_send_total{connector="orders-sink",task="0"} 9.0' in text
    assert 'kafka_connect_source_task_source_record_write_total{connector="clicks-src",task="1"} 7.0' in text
    assert 'genesis_sink_consumer_lag{connector="orders-sink",partition="1",task="0",topic="orders"} 2.0' in text
    assert (
        'kafka_connect_task_error_deadletterqueue_produce_requests_total{connector="orders-sink",task="0"} 1.0' in text
    )
    assert 'kafka_connect_task_error_total_record_errors_total{connector="orders-sink",task="0"} 2.0' in text


def test_rates_and_summary_per_connector_and_worker():
    now = [100.0]
    wm = WorkerMetrics("w1", window_seconds=30, clock=lambda: now[0])
    a0 = wm.register(TaskMetrics("a", 0, "sink"))
    a1 = wm.register(TaskMetrics("a", 1, "sink"))
    b = wm.register(TaskMetrics("b", 0, "source"))
    assert wm.rates() == {}  # the first read takes the first sample
    a0.records_read += 100
    a1.records_read += 300
    b.records_written += 50
    now[0] = 110.0
    rates = wm.rates()  # the next read, a second or more later, samples again
    assert rates["a"].read == 40.0
    assert rates["b"].written == 5.0
    s = wm.summary(connectors=["idle"])
    assert s["connectors"]["a"]["records_read"] == 400
    assert s["connectors"]["a"]["tasks"] == 2
    assert s["connectors"]["idle"]["tasks"] == 0
    assert s["worker"]["read_per_sec"] == 40.0


def test_unregistered_task_disappears_and_failing_lag_reader_is_ignored():
    wm = WorkerMetrics("w1")
    t = wm.register(TaskMetrics("a", 0, "sink"))

    def broken() -> dict:
        raise RuntimeError("consumer closed")

    t.lag_reader = broken
    assert wm.summary()["connectors"]["a"]["lag"] == 0
    wm.unregister("a", 0)
    assert "a" not in wm.summary()["connectors"]
    assert 'connector="a"' not in wm.exposition().decode()
