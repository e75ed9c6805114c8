"""numpy's transparent huge pages, switched off while a large job allocates its arrays.

numpy advises the kernel to back each array of 4 MiB or more with 2 MiB pages. With the common
``madvise`` setting the kernel may first compact memory to find them; on a machine whose memory is
fragmented that cost a first fit on 3M rows 2.5 CPU-s instead of 1.2 (system time), for no gain in
user time. The command line switches the advice off before numpy is imported
(``NUMPY_MADVISE_HUGEPAGE=0``); a Python caller has imported numpy already, so
:func:`huge_pages_off` switches it off while a fit or an assessment runs and puts the caller's
setting back afterwards. A caller who set ``NUMPY_MADVISE_HUGEPAGE`` keeps their choice.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

__all__ = ["huge_pages_off"]


@contextlib.contextmanager
def huge_pages_off() -> Iterator[None]:
    """numpy's huge-page advice off while the block runs (unless the caller chose it by environment).

    Examples
    --------
    >>> import numpy as np
    >>> with huge_pages_off():
    ...     _ = np.zeros(1 << 20)
    """
    setter = _setter()
    if setter is None or "NUMPY_MADVISE_HUGEPAGE" in os.environ:
        yield
        return
    previous = setter(False)
    try:
        yield
    finally:
        setter(previous)


def _setter() -> Callable[[bool], bool] | None:
    """numpy's runtime switch (``_set_madvise_hugepage``, named in numpy 1.20's release notes), or None."""
    import importlib

    for module in ("numpy._core.multiarray", "numpy.core.multiarray"):  # numpy 2, numpy 1
        try:
            setter: Callable[[bool], bool] | None = getattr(importlib.import_module(module), "_set_madvise_hugepage", None)
        except ImportError:
            continue
        return setter
    return None
