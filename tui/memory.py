"""Short full passes of the cyclic garbage collector, so that no key waits behind one.

A full (generation-2) pass of CPython's collector walks every object it tracks: the app holds about
140,000 at 80×24 and 200,000 at 120×40 (a kept frame picture is thousands of segments and styles),
and a full pass took 30–90 ms — the longest stops of the event loop when a run's result landed
(measured: worst gap 84–107 ms at 120×40, 42–48 ms with this). So what the app has just built to
keep — modules, styles, a screen's widgets once mounted, a run's frames once all their pictures
are made — is moved out of the collector's reach with :func:`settle` (``gc.freeze()``, which costs
nothing). Frozen objects are still freed by reference counting when dropped (frames and pictures
hold no cycles); the only cost is that cyclic garbage among them at that moment waits for
:func:`thaw` (``gc.unfreeze()``), which the app calls when it exits.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Everything alive now is long-lived: full collector passes skip it from now on."""
    gc.freeze()


def thaw() -> None:
    """Give the frozen objects back to the collector (the app is closing)."""
    gc.unfreeze()
