"""Regenerate the configuration table of ``connectors/genesis_connectors/hdfs/README.md`` from the ConfigDef.

Run ``python -m genesis_connectors.hdfs.readme`` after changing a key; a unit test fails while the README and the
ConfigDef disagree (the ConfigDef is the one description of every key).
"""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).with_name("README.md")
_BLOCK = re.compile(r"(<!-- config -->\n)(.*?)(<!-- /config -->)", re.S)


def render(text: str) -> str:
    from genesis_connectors.hdfs.config import CONFIG_DEF

    return _BLOCK.sub(lambda m: m.group(1) + CONFIG_DEF.to_rst_table() + "\n" + m.group(3), text)


def main() -> None:
    README.write_text(render(README.read_text()))


if __name__ == "__main__":
    main()
