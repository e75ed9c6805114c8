"""numba's ``njit`` as every compiled kernel of unlinkable uses it.

- ``cache=True``: the machine code is cached beside the module, so a new process loads it instead
  of compiling again;
- ``nogil=True``: the kernel releases the GIL and can run beside other threads;
- no fastmath: every operation keeps its IEEE order, so a kernel gives the same bits as the
  interpreted or numpy computation it replaces (the tests compare them);
- :func:`compiled` keeps Python's error model (x / 0 raises); :func:`compiled_ieee` takes numpy's,
  where x / 0 gives inf or NaN, as IEEE 754 and Java do.

Importing this module imports numba (about 0.25 s). Only kernel modules import it; a table job
imports none of them (``tests/cli/test_startup_imports.py``).

>>> from unlinkable.utility.loss_sums import class_sums   # a kernel compiled with it
>>> callable(class_sums.py_func)   # numba keeps the Python function beside the machine code
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from numba import njit

__all__ = ["compiled", "compiled_ieee"]

_F = TypeVar("_F", bound=Callable[..., Any])


def compiled(fn: _F) -> _F:
    """Compile ``fn`` (cached, GIL released, no fastmath; x / 0 raises as in Python)."""
    return cast(_F, njit(cache=True, nogil=True)(fn))


def compiled_ieee(fn: _F) -> _F:
    """Compile ``fn`` as :func:`compiled` does, but with numpy's error model: x / 0 is inf or NaN."""
    return cast(_F, njit(cache=True, nogil=True, error_model="numpy")(fn))
