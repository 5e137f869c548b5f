"""Regenerates the config tables of README.md from the ConfigDefs (one source for docs and validation).

.venv/bin/python -m genesis_connectors.mongodb.readme
"""

from __future__ import annotations

from pathlib import Path

from genesis_worker.api import ConfigDef
from genesis_worker.api.config import convert_to_string

README = Path(__file__).with_name("README.md")


def table(definition: ConfigDef) -> str:
    rows = ["| key | type | default | description |", "|---|---|---|---|"]
    for k in definition.config_keys.values():
        if k.internal:
            continue
        default = convert_to_string(k.default, k.type) if k.has_default else "(required)"
        if default is not None and len(default) > 60:
            default = "(the Java connector's default)"
        doc = " ".join(k.documentation.split()).replace("|", "/")
        shown = f"`{default}`" if default else '""'
        rows.append(f"| `{k.name}` | {k.type.value} | {shown} | {doc} |")
    return "\n".join(rows)


def render(text: str) -> str:
    from genesis_connectors.mongodb.sink.config import CONFIG_DEF as SINK
    from genesis_connectors.mongodb.source.config_def import CONFIG_DEF as SOURCE

    for name, definition in (("sink", SINK), ("source", SOURCE)):
        start, end = f"<!-- {name}-config:start -->", f"<!-- {name}-config:end -->"
        block = f"{start}\n{table(definition)}\n{end}"
        head, found, rest = text.partition(start)
        if found:
            text = head + block + rest.partition(end)[2]
    return text


def main() -> None:
    README.write_text(render(README.read_text()))


if __name__ == "__main__":
    main()
