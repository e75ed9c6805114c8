"""Linkage: joins of a release against an outside table, and individual re-identification likelihood.

- :func:`exposure` (``exposure.py``): per-record candidate counts and aggregate exposure figures;
- :func:`copula_uniqueness` (``copula.py``): Rocher, Hendrickx & de Montjoye (2019);
- ``whatif.py``: single-attribute what-if analysis used by :func:`exposure`.
"""

from unlinkable.linkage.copula import CopulaResult, copula_uniqueness
from unlinkable.linkage.exposure import ExposureResult, exposure

__all__ = ["ExposureResult", "exposure", "CopulaResult", "copula_uniqueness"]
