"""Pausing the cyclic garbage collector while bulk code builds many acyclic objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block, restoring its previous state after."""
    # Collections are triggered by allocation counts alone, so building a batch's segments (or
    # parsing an export of millions of small JSON objects) pays for repeated passes over a heap
    # that holds no cycles: 7.7 s vs 1.9 s for 814k classified segments, 2.1 s vs 1.4 s for
    # json.loads of a 60 MB Label Studio export.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
