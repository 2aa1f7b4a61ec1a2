"""Garbage-collector settings for bulk table work.

Reading and scoring a large table allocates millions of small, long-lived objects
(row records, compiled targets kept in the compiler's cache). With CPython's default
thresholds the cyclic collector then runs thousands of times and rescans the same
live objects each time: about a fifth of the run time at a million indicators
(measured in ``docs/benchmark.md``). None of these objects form reference cycles that
need prompt collection, so during a bulk step the young-generation threshold is raised;
the previous settings are restored afterwards.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

#: young-generation threshold during bulk work (CPython's default is 700)
BULK_THRESHOLD = 100_000


@contextmanager
def bulk_gc() -> Iterator[None]:
    """Collect less often inside the block; restore the thresholds on exit."""
    before = gc.get_threshold()
    if before[0] >= BULK_THRESHOLD or before[0] == 0:
        yield
        return
    gc.set_threshold(BULK_THRESHOLD, before[1], before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)
