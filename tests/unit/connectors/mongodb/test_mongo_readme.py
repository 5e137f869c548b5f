"""The README's config tables are generated from the ConfigDefs and must match them."""

from __future__ import annotations

from genesis_connectors.mongodb.readme import README, render


def test_readme_tables_are_current() -> None:
    text = README.read_text()
    assert render(text) == text, "run: .venv/bin/python -m genesis_connectors.mongodb.readme"
    assert "`document.id.strategy`" in text and "`startup.mode`" in text
