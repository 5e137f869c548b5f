"""Regenerate the configuration tables of ``connectors/genesis_connectors/kafka/README.md`` from the ConfigDefs.

Run ``python -m genesis_connectors.kafka.make_readme`` after changing a key; a unit test fails while the README
and the ConfigDefs disagree (the ConfigDef is the one description of every key).
"""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).with_name("README.md")
_BLOCK = re.compile(r"(<!-- config:(?P<name>[a-z-]+) -->\n)(.*?)(<!-- /config -->)", re.S)


def tables() -> dict[str, str]:
    from genesis_connectors.kafka.adlog_join import AdLogJoinKafkaSinkConnector
    from genesis_connectors.kafka.config import base_config_def
    from genesis_connectors.kafka.feature_join import ExtFeatureJoinKafkaSinkConnector
    from genesis_worker.api import ConfigDef

    base = base_config_def()

    def own(d: ConfigDef) -> str:
        only = ConfigDef()
        for k in d.config_keys.values():
            if k.name not in base:
                only.define_key(k)
        return only.to_rst_table()

    return {
        "common": base.to_rst_table(),
        "feature-join": own(ExtFeatureJoinKafkaSinkConnector.CONFIG_DEF),
        "adlog-join": own(AdLogJoinKafkaSinkConnector.CONFIG_DEF),
    }


def render(text: str) -> str:
    t = tables()
    return _BLOCK.sub(lambda m: m.group(1) + t[m.group("name")] + "\n" + m.group(4), text)


def main() -> None:
    README.write_text(render(README.read_text()))


if __name__ == "__main__":
    main()
