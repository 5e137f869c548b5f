import pytest

from genesis_worker.api.errors import ConfigException
from genesis_worker.runtime.topic_creation import parse_topic_groups


def test_groups_default_last_and_matching():
    groups = parse_topic_groups(
        {
            "topic.creation.groups": "compacted,default",
            "topic.creation.default.replication.factor": "3",
            "topic.creation.default.partitions": "5",
            "topic.creation.default.retention.ms": "1000",
            "topic.creation.compacted.include": "state-.*, .*-changelog",
            "topic.creation.compacted.exclude": "state-tmp",
            "topic.creation.compacted.partitions": "1",
            "topic.creation.compacted.cleanup.policy": "compact",
        }
    )
    assert [g.name for g in groups] == ["compacted", "default"]
    compacted, default = groups
    assert (compacted.partitions, compacted.replication_factor, compacted.configs) == (
        1,
        3,
        {"cleanup.policy": "compact"},
    )
    assert default.configs == {"retention.ms": "1000"}
    assert compacted.matches("state-users") and compacted.matches("x-changelog")
    assert not compacted.matches("state-tmp") and not compacted.matches("events")
    assert default.matches("events")


def test_not_used_and_required_keys():
    assert parse_topic_groups({"topic": "t"}) is None
    with pytest.raises(ConfigException, match=r"topic\.creation\.default\.partitions"):
        parse_topic_groups({"topic.creation.default.replication.factor": "1"})
    with pytest.raises(ConfigException, match="must be -1 or a positive number"):
        parse_topic_groups({"topic.creation.default.replication.factor": "0", "topic.creation.default.partitions": "1"})
