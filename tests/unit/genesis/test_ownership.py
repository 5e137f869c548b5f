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


def test_ownership_of_a_config():
    cfg = {"connector.class": "X", "genesis.owner": "ann", "genesis.ticket": "T-1"}
    assert Ownership.of(cfg).to_json() == {"owner": "ann", "ticket": "T-1", "description": None}
