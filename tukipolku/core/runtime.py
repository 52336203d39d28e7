"""Process-level tuning applied once a worker has loaded the application (wsgi.py, asgi.py, bench)."""

import gc

GC_GEN0_THRESHOLD = 50_000
"""Django allocates many short-lived objects per request; the default (700) runs a collection every
few hundred of them, and the full collections that follow are what made the slowest 5 % of page
requests slow in the benchmark (docs/performance.md)."""


def tune_gc() -> None:
    """Move everything loaded at start-up out of the collector's view and collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_GEN0_THRESHOLD, 20, 100)
