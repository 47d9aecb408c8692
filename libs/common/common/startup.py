"""What a process does once it has started (the services' runner, the gateway)."""

from __future__ import annotations

import gc

_frozen = False


def freeze_start_up() -> None:
    """Move what start-up made and still holds (modules, models, routes, compiled statements: it
    lives as long as the process) out of the collector's generations, so that a full collection at
    the morning peak does not walk it again. Start-up's garbage is collected first, so that nothing
    dead is kept for ever; only the first call in a process freezes (a test process starts many apps)."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()
