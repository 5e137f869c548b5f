"""Built-in connectors. Every concrete connector class in this package is discovered automatically."""
