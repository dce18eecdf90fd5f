"""One BLAS thread for the process that masks.

natasha's NER multiplies small matrices with numpy. OpenBLAS starts one thread per core and
lets them spin between calls: on a busy machine — two mask workers, or a worker next to any other
process — the spinning threads take the cores from the work. Measured here on 2 cores: one
masking process at 7 ms/document went to 23 ms/document while another process kept one core
busy, and two workers ran 3x *slower* than one; with one BLAS thread per process, 6 ms/document
and 1.7x faster with two workers. Nothing in nightshift gains from BLAS threads.

:func:`use_one_blas_thread` finds the OpenBLAS numpy loaded (as threadpoolctl does: by the shared
libraries mapped into the process) and sets its thread count to one. It is best effort: on
another BLAS, or off Linux, it changes nothing and says so.
"""

from __future__ import annotations

import ctypes
import logging
from pathlib import Path

log = logging.getLogger(__name__)

_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)


def _openblas_libraries() -> list[str]:
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return []
    paths = {line.split()[-1] for line in maps.splitlines() if "openblas" in line.lower()}
    return sorted(p for p in paths if p.startswith("/"))


def use_one_blas_thread() -> bool:
    """Set the loaded OpenBLAS to one thread; True if it was found and set."""
    import numpy  # noqa: F401 - loads the BLAS library numpy uses

    for path in _openblas_libraries():
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SETTERS:
            setter = getattr(library, name, None)
            if setter is not None:
                setter(1)
                log.debug("BLAS limited to one thread (%s)", name)
                return True
    log.info("no OpenBLAS found to limit to one thread; NER may compete for cores")
    return False
