"""Genesis features on top of Connect: ownership and history, lineage, metrics views, the web console."""
