"""ARX's iterative local recoding (``ARXResult.optimizeIterative``): give suppressed records back.

After the global search, the records it suppressed are anonymized again on their own, with the same
privacy models, the same hierarchies and the same search, and a generalization/suppression factor
(ARX's gs-factor of the Loss metric) that starts at ``gs_factor``. Records that the new optimum
keeps are released at its levels; the others stay suppressed and are tried again. When a round
gives no record back, the factor grows by ``adaption_factor`` (up to 1: generalization is then
preferred to suppression). The loop stops after ``max_iterations`` rounds, when a round gives
nothing back and the factor cannot grow, or when fewer records remain suppressed than the models'
minimal class size.

Each record then has its own level vector: the output is a *local* generalization. Grouped on their
released values, the records form classes that each satisfy the models (a class of a round, or the
union of classes of several rounds with equal values, which k-anonymity, distinct and entropy
l-diversity and t-closeness with the table's distribution keep); the verifier re-checks the
released text record by record (``verify_release(..., local=True)``).

Models whose guarantee is about the whole table (risk thresholds, delta-presence) or about a
research subset cannot be split this way (ARX refuses them too); k-map with an estimator becomes
k-anonymity with the derived k of the whole table, as in ARX.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from unlinkable.errors import ConfigError
from unlinkable.hierarchies.hierarchy import GeneralizationMap


@dataclass(frozen=True)
class LocalRecoding:
    """Settings of ARX's ``optimizeIterative(handle, gsFactor, maxIterations, adaptionFactor)``.

    Examples
    --------
    >>> LocalRecoding.from_config({"gs_factor": 0.05, "max_iterations": 100})
    LocalRecoding(gs_factor=0.05, max_iterations=100, adaption_factor=0.05)
    """

    gs_factor: float = 0.05
    max_iterations: int = 100
    adaption_factor: float = 0.05

    @classmethod
    def from_config(cls, raw: object) -> LocalRecoding:
        """Validate a ``local_recoding`` job-file section (or API mapping); ``true`` means the defaults."""
        from unlinkable.constraints import check_float, check_int, check_keys

        if raw is True:
            return cls()
        if isinstance(raw, LocalRecoding):
            return raw
        if not isinstance(raw, dict):
            raise ConfigError(f"`local_recoding` must be true or a mapping, got {type(raw).__name__}",
                              hint="local_recoding: {gs_factor: 0.05, max_iterations: 100, adaption_factor: 0.05}")
        check_keys(raw, ("gs_factor", "max_iterations", "adaption_factor"), "`local_recoding`")
        defaults = cls()
        return cls(gs_factor=check_float(raw.get("gs_factor", defaults.gs_factor), "gs_factor", low=0.0, high=1.0),
                   max_iterations=check_int(raw.get("max_iterations", defaults.max_iterations), "max_iterations", low=1),
                   adaption_factor=check_float(raw.get("adaption_factor", defaults.adaption_factor), "adaption_factor",
                                               low=0.0, high=1.0))

    def to_dict(self) -> dict[str, float | int]:
        return {"gs_factor": self.gs_factor, "max_iterations": self.max_iterations,
                "adaption_factor": self.adaption_factor}


#: one round: (rows to anonymize, gs-factor) -> (levels of the optimum, suppressed per given row), or None
Round = Callable[[np.ndarray, float], "tuple[tuple[int, ...], np.ndarray] | None"]


def recode(levels: Sequence[int], suppressed: np.ndarray, settings: LocalRecoding, anonymize: Round, *,
           minimal_class_size: int | None) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]:
    """Run the rounds; return per-record levels, the final suppression mask and what each round did.

    Examples
    --------
    >>> import numpy as np
    >>> sup = np.array([False, True, True, True])
    >>> def anonymize(rows, gs):   # a toy round: level 1 for every given record but the last, suppressed
    ...     return (1,), rows == rows.max()
    >>> levels, left, rounds = recode([0], sup, LocalRecoding(), anonymize, minimal_class_size=2)
    >>> levels[:, 0].tolist(), left.tolist(), [r["recoded"] for r in rounds]
    ([0, 1, 1, 0], [False, False, False, True], [2])
    """
    n = suppressed.shape[0]
    record_levels = np.tile(np.asarray(levels, dtype=np.int32), (n, 1))
    left = np.asarray(suppressed, dtype=bool).copy()
    gs = settings.gs_factor
    rounds: list[dict[str, Any]] = []
    iterations, optimized = 0, None   # None: ARX's Integer.MAX_VALUE (go on)

    def optimizable() -> bool:
        still_suppressed = int(left.sum())
        return still_suppressed > 0 and (minimal_class_size is None or still_suppressed >= minimal_class_size)

    while optimizable() and iterations < settings.max_iterations and (optimized is None or optimized > 0):
        rows = np.flatnonzero(left)
        found = anonymize(rows, gs)
        optimized = 0
        if found is not None:
            new_levels, still = found
            kept = rows[~still]
            record_levels[kept] = np.asarray(new_levels, dtype=np.int32)
            left[kept] = False
            optimized = int(kept.shape[0])
            rounds.append({"gs_factor": gs, "levels": list(new_levels), "recoded": optimized})
        if optimized == 0 and settings.adaption_factor > 0.0:
            gs += settings.adaption_factor
            if gs <= 1.0:
                optimized = None
        iterations += 1
    # records still suppressed keep the global levels in record_levels; the mask says they are '*'
    return record_levels, left, rounds


def recoded_frame(frame: pl.DataFrame, *, quasi_identifiers: Sequence[str], maps: Sequence[GeneralizationMap],
                  codes: np.ndarray, record_levels: np.ndarray, suppressed: np.ndarray,
                  identifiers: Sequence[str] = (), suppression_value: str = "*") -> pl.DataFrame:
    """The released table of a local recoding: each record's QIs at its own levels, ``*`` if suppressed.

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> from unlinkable.hierarchies.hierarchy import Hierarchy
    >>> gm = Hierarchy([["a", "x", "*"], ["b", "x", "*"]]).encode(["a", "b"])
    >>> df = pl.DataFrame({"q": ["a", "b", "b"]})
    >>> recoded_frame(df, quasi_identifiers=["q"], maps=[gm], codes=np.array([[0], [1], [1]]),
    ...               record_levels=np.array([[0], [1], [2]]), suppressed=np.array([False, False, True]))["q"].to_list()
    ['a', 'x', '*']
    """
    quasi_identifier_index = {q: i for i, q in enumerate(quasi_identifiers)}
    out: dict[str, pl.Series] = {}
    for name in frame.columns:
        if name in identifiers:
            continue
        if name not in quasi_identifier_index:
            out[name] = frame[name]
            continue
        i = quasi_identifier_index[name]
        gm = maps[i]
        # every level's labels one after the other, then the suppression value
        offsets = np.cumsum([0] + [len(gm.labels[lv]) for lv in range(gm.levels)])
        texts = [label for lv in range(gm.levels) for label in gm.labels[lv]] + [suppression_value]
        lv = record_levels[:, i].astype(np.int64)
        gcodes = offsets[lv] + gm.table[codes[:, i], lv].astype(np.int64)
        gcodes = np.where(suppressed, len(texts) - 1, gcodes)
        out[name] = pl.select(pl.lit(pl.Series(texts, dtype=pl.String)).gather(pl.Series(gcodes)).alias(name)).to_series()
    return pl.DataFrame(out)


__all__ = ["LocalRecoding", "recode", "recoded_frame"]
