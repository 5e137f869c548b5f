"""Stand-alone programs the benchmarks run as child processes: the raw-client ceilings and Python peers."""
