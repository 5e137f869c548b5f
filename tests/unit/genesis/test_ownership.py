from genesis_worker.genesis.history import ConfigHistory
from genesis_worker.genesis.ownership import (
    OWNERSHIP_CONFIG_DEF,
    Ownership,
    apply_ownership_errors,
    ownership_errors,
)


def test_required_ownership_names_missing_keys():
    assert ownership_errors({}, required=False) == {}
    errs = ownership_errors({"genesis.owner": "ann"}, required=True)
    assert list(errs) == ["genesis.ticket"]
    values = OWNERSHIP_CONFIG_DEF.validate({"genesis.owner": " "})
    apply_ownership_errors(values, {"genesis.owner": " "}, required=True)
    by = {v.name: v.errors for v in values}
    assert by["genesis.owner"] and by["genesis.ticket"] and not by["genesis.description"]


def test_history_records_changes_once_and_redacts_secrets():
    h = ConfigHistory()
    cfg = {"connector.class": "X", "genesis.owner": "ann", "genesis.ticket": "T-1", "connection.password": "pw"}
    h.record_config("c", cfg, 1)
    h.record_config("c", cfg, 2)  # same config: not a new version
    h.record_config("c", {**cfg, "tasks.max": "2", "genesis.ticket": "T-2"}, 3)
    h.record_action("c", "paused", 4)
    h.record_config("c", None, 5)
    ev = h.events("c")
    assert [e.action for e in ev] == ["created", "updated", "paused", "deleted"]
    assert ev[1].changed_keys == ["genesis.ticket", "tasks.max"]
    assert ev[1].ticket == "T-2"
    assert ev[0].config is not None and ev[0].config["connection.password"] == "[hidden]"
    assert Ownership.of(cfg).to_json() == {"owner": "ann", "ticket": "T-1", "description": None}
