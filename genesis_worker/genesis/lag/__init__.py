"""Lag evaluated as Burrow does: window.py (a partition's commits and log-end offsets), evaluator.py
(Burrow's rules), sampler.py (the Admin API reads), state.py (per pipeline), monitor.py (the leader's
sampling loop), rest.py (the endpoints) and prometheus.py (the ``genesis_lag_*`` series)."""
