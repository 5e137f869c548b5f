"""Example connectors (templates to copy)."""
