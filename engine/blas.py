"""How many threads numpy's BLAS (OpenBLAS) uses for a matrix product.

The numpy network of Problems 3–4 (engine.walk_net) multiplies 2048 × 32 matrices: OpenBLAS then
splits each product over every core. On this 2-core machine with other work running that made a
training step 2–40× slower (measured: 0.65 ms a step with one thread; 1.6–27 ms with two while the
machine was busy), the same lesson as torch's threads (engine.training.DEFAULT_THREADS). numpy has
no call for it, so this asks the OpenBLAS library that numpy loaded, by its exported setter.
"""

from __future__ import annotations

import ctypes
import functools

GETTERS = ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads", "openblas_get_num_threads64_",
           "openblas_get_num_threads")
SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
           "openblas_set_num_threads")


@functools.cache
def _functions() -> tuple:
    """(set_num_threads, get_num_threads) of the OpenBLAS numpy loaded, or (None, None) (another BLAS,
    not Linux)."""
    import numpy  # noqa: F401  (its BLAS is loaded with it)

    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.rsplit("/", 1)[-1].lower()
                     and ".so" in line.rsplit("/", 1)[-1]}
    except OSError:
        return None, None
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        setter = next((getattr(lib, n) for n in SETTERS if hasattr(lib, n)), None)
        getter = next((getattr(lib, n) for n in GETTERS if hasattr(lib, n)), None)
        if setter is not None and getter is not None:
            setter.argtypes, setter.restype = [ctypes.c_int], None
            getter.argtypes, getter.restype = [], ctypes.c_int
            return setter, getter
    return None, None


def set_blas_threads(threads: int) -> bool:
    """Make numpy's BLAS use ``threads`` threads (process-wide); False when it cannot be told."""
    setter, _ = _functions()
    if setter is None:
        return False
    setter(int(threads))
    return True


def blas_threads() -> int | None:
    """The number of threads numpy's BLAS uses now (None when it cannot be asked)."""
    _, getter = _functions()
    return None if getter is None else int(getter())
