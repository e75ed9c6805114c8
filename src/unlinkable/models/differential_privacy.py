"""(epsilon, delta)-differential privacy by random sampling and generalization (SafePub).

Bild, Kuhn and Prasser, "SafePub: A Truthful Data Anonymization Algorithm With Strong Privacy
Guarantees", PoPETs 2018 (1); ARX 3.9.2 ``criteria/EDDifferentialPrivacy.java`` with a
``DataGeneralizationScheme``. The release is produced in three steps:

1. each record is kept with probability ``beta = 1 - exp(-epsilon)``, independently and secretly
   (``dp/sampling.py``); the others are left out of the sample (suppressed in the output);
2. every quasi-identifier is generalized to a level fixed before the data are read (the
   generalization scheme: a degree such as ``low-medium``, ``round(0.4 x height)`` as ARX rounds,
   or one level per attribute), so the transformation does not depend on the data;
3. every class with fewer than k sampled records is suppressed, k from ``dp/parameters.py``.

The suppression limit does not apply (ARX lets the model suppress any number of records).
``Anonymizer.fit`` returns ARX's layout (every row; those left out of the sample and suppressed ones ``*`` in every
quasi-identifier); the ``anonymize`` command writes the released rows only, since the number of
``*`` rows would tell the input's size, which the guarantee does not cover. The
check per class (``check``) is step 3. The engine draws the sample through :meth:`sample` and
fixes the lattice to :meth:`levels`. Without a scheme, ARX's data-dependent variant runs instead
(``search_budget`` and ``steps``): the exponential mechanism picks the transformation with part of
the budget (``dp/search.py``), and sampling and k take the rest.

``deterministic=True`` replays ARX's test mode (``java.util.Random(0xDEADBEEF)``): the sample is
then public and the release is NOT differentially private. It is a Python-API option for
comparing with ARX, refused in job files.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from unlinkable.constraints import AnyOf, Boolean, Interval, OneOf, check, check_float
from unlinkable.dp.parameters import SafePubParameters, interval_low, safepub_parameters
from unlinkable.dp.sampling import arx_deterministic_sample, secure_sample
from unlinkable.errors import ConfigError, shown
from unlinkable.models.base import ClassStatistics, Param, PrivacyModel

#: ARX's ``GeneralizationDegree``: the share of an attribute's maximal level
DEGREES: dict[str, float] = {"none": 0.0, "low": 0.2, "low-medium": 0.4, "medium": 0.5, "medium-high": 0.6,
                             "high": 0.8, "complete": 1.0}


def _degree(value: Any, where: str) -> str:
    key = str(value).strip().lower().replace("_", "-")
    return str(check(key, OneOf(tuple(DEGREES)), where, owner="differential-privacy"))


def scheme_level(spec: str | int, height: int) -> int:
    """The level a degree (``round(share x maximal level)``, half up as Java) or a level gives.

    Examples
    --------
    >>> [scheme_level("low-medium", h) for h in (2, 3, 4, 5)]   # maximal levels 1, 2, 3, 4
    [0, 1, 1, 2]
    >>> scheme_level(7, 3)   # clamped to the hierarchy
    2
    """
    top = int(height) - 1
    level = int(spec) if isinstance(spec, int) else math.floor(DEGREES[spec] * top + 0.5)
    return min(max(level, 0), top)


class DifferentialPrivacy(PrivacyModel):
    """(epsilon, delta)-differential privacy by sampling, a data-independent generalization and k-suppression.

    Parameters
    ----------
    epsilon : float
        The privacy budget, > 0.
    delta : float
        In (0, 1).
    generalization : str or mapping of str to (int or str)
        A degree for every quasi-identifier (``none``, ``low``, ``low-medium``, ``medium``,
        ``medium-high``, ``high``, ``complete``), or per attribute a level or a degree (attributes
        not named stay at level 0).
        None for ARX's data-dependent search (then ``search_budget`` and ``steps`` are required).
    search_budget : float, optional
        The part of epsilon the data-dependent search spends (ARX's ``setDPSearchBudget``); the
        sample and k use ``epsilon - search_budget`` (ARX's interval lower bound).
    steps : int, optional
        The search's expansions (ARX's ``setHeuristicSearchStepLimit(steps, EXPANSIONS)``).
    deterministic : bool
        ARX's test mode: sample (and search) with ``java.util.Random(0xDEADBEEF)``. Not private; API only.

    Examples
    --------
    >>> m = DifferentialPrivacy(epsilon=1.0, delta=1e-5, generalization="medium")
    >>> m.k, m.levels(["age", "sex"], [5, 2])
    (62, [2, 1])
    >>> m.check(ClassStatistics(np.zeros(70, dtype=np.int64), np.array([70, 61]))).tolist()
    [True, False]

    Notes
    -----
    Bild, Kuhn and Prasser (2018); ARX ``EDDifferentialPrivacy``. Context needed: none; the
    engine samples with :meth:`sample` and fixes the transformation with :meth:`levels`.
    """

    name = "differential-privacy"
    monotone_generalization = True   # the per-class test is "at least k sampled records"
    monotone_suppression = True
    per_class = True
    samples_records = True
    parameters = {"epsilon": Param(), "delta": Param(), "generalization": Param(required=False),
                  "search_budget": Param(required=False), "steps": Param(required=False)}
    example = "{epsilon: 1.0, delta: 1.0e-6, generalization: low-medium}"

    def __init__(self, *, epsilon: float, delta: float, generalization: str | Mapping[str, int | str] | None = None,
                 search_budget: float | None = None, steps: int | None = None, deterministic: bool = False) -> None:
        self.epsilon = float(check(epsilon, Interval(float, 0, None, closed="right", finite=True), "epsilon",
                                   owner=self.name, hint="e.g. epsilon: 1.0"))
        self.delta = check_float(delta, "delta", low=0.0, high=1.0, low_open=True, high_open=True)
        self.search_budget: float | None = None
        self.steps: int | None = None
        if generalization is None:
            if search_budget is None or steps is None:
                raise ConfigError("differential-privacy needs the parameter generalization, or search_budget and steps for "
                                  "ARX's data-dependent search",
                                  hint="e.g. generalization: low-medium, or search_budget: 0.1 and steps: 100")
            self.search_budget = check_float(search_budget, "search_budget", low=0.0, high=self.epsilon,
                                             low_open=True, high_open=True)
            self.steps = int(check(steps, Interval(int, 1, None), "steps", owner=self.name, hint="e.g. steps: 100"))
            self.generalization: str | dict[str, int | str] | None = None
        elif search_budget is not None or steps is not None:
            raise ConfigError("differential-privacy: search_budget and steps belong to the data-dependent search, "
                              "which a generalization scheme replaces", hint="give either generalization, or search_budget and steps")
        elif isinstance(generalization, Mapping):
            scheme: dict[str, int | str] = {}
            level = AnyOf((Interval(int, 0, None), OneOf(tuple(DEGREES))))
            for attribute, spec in generalization.items():
                key = spec.strip().lower().replace("_", "-") if isinstance(spec, str) else spec
                scheme[str(attribute)] = check(key, level, f"generalization.{attribute}", owner=self.name,
                                               hint="e.g. generalization: {age: 2, sex: high}")
            self.generalization = scheme
        elif isinstance(generalization, str):
            self.generalization = _degree(generalization, "generalization")
        else:
            raise ConfigError("differential-privacy needs a data-independent generalization scheme: a degree or "
                              f"levels per attribute, got {shown(generalization)}",
                              hint="e.g. generalization: low-medium (ARX's data-dependent search is not available)")
        self.deterministic = check(deterministic, Boolean(), "deterministic", owner=self.name, hint="leave it out")
        # the sample and k spend what the search leaves (ARX: the lower bound of epsilon - search_budget)
        anonymization = self.epsilon if self.search_budget is None else interval_low(self.epsilon - self.search_budget)
        self._parameters: SafePubParameters = safepub_parameters(anonymization, self.delta)

    @property
    def k(self) -> int:
        """Smallest number of sampled records a released class holds."""
        return self._parameters.k

    @property
    def beta(self) -> float:
        """Probability with which each record is sampled."""
        return self._parameters.beta

    @property
    def data_dependent(self) -> bool:
        """True when the transformation is searched for (no scheme)."""
        return self.generalization is None

    def levels(self, quasi_identifiers: Sequence[str], heights: Sequence[int]) -> list[int]:
        """The transformation, fixed by the scheme and the hierarchies' heights alone."""
        if self.generalization is None:
            raise ValueError("the data-dependent search has no fixed levels")
        out = []
        for q, h in zip(quasi_identifiers, heights):
            if isinstance(self.generalization, str):
                out.append(scheme_level(self.generalization, h))
            else:
                out.append(scheme_level(self.generalization.get(q, 0), h))
        return out

    def sample(self, n: int) -> np.ndarray:
        """A bool per record: is it in the random sample? (secure unless ``deterministic``)."""
        return arx_deterministic_sample(n, self.beta) if self.deterministic else secure_sample(n, self.beta)

    def check(self, stats: ClassStatistics) -> np.ndarray:
        return np.asarray(stats.sizes) >= self.k

    def describe(self) -> str:
        how = ("by a scheme fixed before reading the data" if self.search_budget is None else
               f"to a transformation chosen by the exponential mechanism in {self.steps} steps with epsilon "
               f"{self.search_budget} of the budget")
        text = (f"({self.epsilon}, {self.delta})-differential privacy (SafePub): each record was kept with "
                f"probability {self.beta:.6g} at random, the quasi-identifiers were generalized {how}, "
                f"and every class with fewer than {self.k} sampled records was suppressed.")
        if self.deterministic:
            text += (" The sample was drawn with ARX's fixed test seed, so it is public: this release is NOT "
                     "differentially private and is meant only for comparison with ARX.")
        return text

    def to_dict(self) -> dict[str, Any]:
        if self.generalization is None:
            return {"differential-privacy": {"epsilon": self.epsilon, "delta": self.delta,
                                             "search_budget": self.search_budget, "steps": self.steps}}
        generalization = self.generalization if isinstance(self.generalization, str) else dict(self.generalization)
        return {"differential-privacy": {"epsilon": self.epsilon, "delta": self.delta, "generalization": generalization}}


__all__ = ["DEGREES", "DifferentialPrivacy", "scheme_level"]
