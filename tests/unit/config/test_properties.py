import pytest

from genesis_worker.api.errors import ConfigException
from genesis_worker.config.properties import apply_env_overrides, env_overrides, load_properties_file, parse_properties


def test_java_properties_syntax():
    text = (
        "# comment\n"
        "! also a comment\n"
        "   \n"
        "a=1\n"
        "b: 2\n"
        "c 3\n"
        "  d   =   spaced value  \n"
        "e=line one \\\n"
        "    continued\n"
        "f=tab\\tnew\\nline\\u0041\n"
        "g\\=key=v\n"
        "h\\ key:x\n"
        "i=\n"
        "j\n"
        "a=override\n"
        "k=ends with backslash\\\\\n"
    )
    props = parse_properties(text)
    assert props == {
        "a": "override",
        "b": "2",
        "c": "3",
        "d": "spaced value  ",
        "e": "line one continued",
        "f": "tab\tnew\nlineA",
        "g=key": "v",
        "h key": "x",
        "i": "",
        "j": "",
        "k": "ends with backslash\\",
    }


def test_crlf_and_malformed_unicode(tmp_path):
    p = tmp_path / "w.properties"
    p.write_bytes(b"a=1\r\nb=2\r\n")
    assert load_properties_file(p) == {"a": "1", "b": "2"}
    with pytest.raises(ConfigException, match="Malformed"):
        parse_properties("x=\\u12")


def test_missing_file_names_path(tmp_path):
    with pytest.raises(ConfigException, match=r"nope\.properties"):
        load_properties_file(tmp_path / "nope.properties")


def test_env_overrides_confluent_naming():
    env = {
        "CONNECT_BOOTSTRAP_SERVERS": "k:9092",
        "CONNECT_GROUP_ID": "g",
        "CONNECT_CONSUMER_MAX_POLL_RECORDS": "100",
        "CONNECT_SOME__UNDERSCORE": "u",
        "CONNECT_WITH___DASH": "d",
        "CONNECT_LOG4J_ROOT_LOGLEVEL": "INFO",
        "OTHER": "x",
    }
    assert env_overrides(env) == {
        "bootstrap.servers": "k:9092",
        "group.id": "g",
        "consumer.max.poll.records": "100",
        "some_underscore": "u",
        "with-dash": "d",
    }
    assert apply_env_overrides({"bootstrap.servers": "a", "x": "1"}, env)["bootstrap.servers"] == "k:9092"
