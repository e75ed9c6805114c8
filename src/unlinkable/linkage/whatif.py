"""What-if analysis: which single attribute, dropped or generalized one level, lowers linkage most.

For every shared attribute the unique-link share is recomputed twice with the same counting engine
as :func:`unlinkable.linkage.exposure.exposure`: once without the attribute (``drop``) and, when the
attribute has a hierarchy, once with every release value lifted one level in it (``generalize``:
a raw value to its level-1 label, a level-j label to its level-(j+1) label; ``*`` and values the
hierarchy does not know stay as they are). Each recount is O(patterns x rows).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["what_if"]


def what_if(aux: Any, columns: Sequence[tuple[np.ndarray, Sequence[str | None]]], *,
            weights: np.ndarray | None = None,
            share: Callable[[list[Sequence[str | None]], list[int]], float] | None = None) -> list[dict[str, Any]]:
    """Unique-link share after each single-attribute change, lowest (most protective) first.

    Parameters
    ----------
    aux : the prepared auxiliary table (``unlinkable.risk.links.Auxiliary``)
    columns : per shared attribute, the release column as (codes, dictionary)
    weights : the records each release row stands for (distinct tuples with counts); None: one
    share : ``share(dictionaries, use)``, the unique-link share of the release read with those
        dictionaries over the attributes ``use``, when the count runs elsewhere (in Spark); the
        codes of ``columns`` are then not read

    Returns
    -------
    list of dict
        ``{"attribute", "action": "drop" | "generalize", "unique_link_share"}``, sorted by the
        share (ties: drop before generalize, then attribute order).

    Notes
    -----
    A greedy, one-step view in the spirit of ARX's attribute-risk analysis (Prasser et al., "Flexible
    data anonymization using ARX", Software: Practice and Experience 50(7), 2020): it ranks single
    changes, it does not search combinations.

    Examples
    --------
    >>> import polars as pl
    >>> from unlinkable.linkage.exposure import exposure
    >>> rel = pl.DataFrame({"age": ["34", "51"], "sex": ["m", "f"]})
    >>> aux = pl.DataFrame({"age": ["34", "51", "51"], "sex": ["m", "f", "m"]})
    >>> [(w["attribute"], w["action"], w["unique_link_share"]) for w in exposure(rel, aux, on=["age", "sex"]).what_if]
    [('age', 'drop', 0.5), ('sex', 'drop', 0.5)]
    """
    from unlinkable.risk.links import lift_one_level

    w = None if weights is None else np.asarray(weights, dtype=np.int64)
    k = len(columns)

    def share_of(cols: Sequence[tuple[np.ndarray, Sequence[str | None]]], use: list[int]) -> float:
        if share is not None:
            return share([dictionary for _, dictionary in cols], use)
        n = (len(cols[0][0]) if w is None else int(w.sum())) if cols else 0
        counts, _ = aux.count(cols, use=use)
        return _share(counts, n, w)

    items = []
    for a in range(k):
        items.append((a, 0, "drop", share_of(columns, [b for b in range(k) if b != a])))
        link = aux.attrs[a].link
        if link.hierarchy is not None and link.hierarchy.levels > 1:
            codes, dictionary = columns[a]
            lifted = list(columns)
            lifted[a] = (codes, tuple(lift_one_level(link, dictionary)))
            items.append((a, 1, "generalize", share_of(lifted, list(range(k)))))
    items.sort(key=lambda t: (t[3], t[1], t[0]))
    return [{"attribute": aux.attrs[a].link.release, "action": action, "unique_link_share": share}
            for a, _, action, share in items]


def _share(counts: np.ndarray, n: int, weights: np.ndarray | None) -> float:
    unique = counts == 1
    return float(unique.sum() if weights is None else weights[unique].sum()) / n if n else 0.0
