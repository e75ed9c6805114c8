"""Per-record l-diversity as sdcMicro's ``ldiversity`` reports it."""

from __future__ import annotations

import math

import numpy as np

from unlinkable.constraints import Interval, check
from unlinkable.errors import ConfigError, InputError
from unlinkable.risk.frequencies import class_ids, validate_keys

__all__ = ["ldiversity_sdc"]


def ldiversity_sdc(
    keys: np.ndarray,
    sensitive: dict[str, np.ndarray],
    *,
    l_recurs_c: float = 2.0,
) -> dict[str, np.ndarray]:
    """Distinct, entropy and recursive l-diversity of each record's class of the key variables.

    Parameters
    ----------
    keys : numpy.ndarray
        Integer codes of the key variables, shape (n, m). ``-1`` (missing) is grouped as an ordinary
        value here, as sdcMicro's C++ code does with its ``missing`` code.
    sensitive : dict of str to numpy.ndarray
        Sensitive variable name -> integer codes (length n). Codes must sort like the original
        values: the entropy sum runs over values in increasing code order, which fixes its last bit.
    l_recurs_c : float
        The constant c of recursive (c, l)-diversity.

    Returns
    -------
    dict of str to numpy.ndarray
        sdcMicro's columns: ``<var>_Distinct_Ldiversity``, ``<var>_Entropy_Ldiversity``,
        ``<var>_Recursive_Ldiversity`` for each sensitive variable, then ``MultiEntropy_Ldiversity``
        and ``MultiRecursive_Ldiversity``, which sdcMicro leaves at 0 (reproduced as zeros).

    Notes
    -----
    Machanavajjhala et al., "l-Diversity: Privacy Beyond k-Anonymity", ACM TKDD 1(1), 2007; sdcMicro
    ``ldiversity``. Distinct = number of distinct sensitive values in the class; entropy =
    exp(-sum p log p); recursive = the largest l with r_1 < c (r_l + ... + r_d), r sorted decreasing.

    Examples
    --------
    >>> import numpy as np
    >>> keys = np.array([[0], [0], [1]])
    >>> out = ldiversity_sdc(keys, {"s": np.array([0, 1, 2])})
    >>> out["s_Distinct_Ldiversity"].tolist(), out["s_Recursive_Ldiversity"].tolist()
    ([2.0, 2.0, 1.0], [2.0, 2.0, 1.0])
    """
    keys = validate_keys(keys)
    n = keys.shape[0]
    c = float(check(l_recurs_c, Interval(float, 0, None, closed="right"), "l_recurs_c", owner="l-diversity",
                    hint="e.g. 2"))
    if not sensitive:
        raise ConfigError("no sensitive variable given", hint="pass e.g. {'electcon': codes}")
    _, gid = np.unique(class_ids(keys + 1), return_inverse=True)
    gid = gid.reshape(-1)
    ng = int(gid.max()) + 1 if n else 0
    out: dict[str, np.ndarray] = {}
    for name, values in sensitive.items():
        s = np.asarray(values)
        if s.shape != (n,) or not np.issubdtype(s.dtype, np.integer):
            raise InputError(
                f"sensitive variable {name!r} must be {n} integer codes; got shape {s.shape}, dtype {s.dtype}",
                hint="encode it like the key variables",
            )
        _, code = np.unique(s, return_inverse=True)  # increasing value order
        code = code.reshape(-1)
        ns = int(code.max()) + 1 if n else 0
        tab = np.zeros((ng, ns), dtype=np.float64)
        np.add.at(tab, (gid, code), 1.0)
        size = tab.sum(axis=1)
        distinct = (tab > 0).sum(axis=1).astype(np.float64)
        # sdcMicro adds p log p value by value in increasing value order; keep that order.
        # numpy's SIMD log can differ from libm's in the last bit; R uses libm, so the (few, one
        # per class and value) logs and exps go through math.
        h = np.zeros(ng)
        for j in range(ns):
            present = tab[:, j] > 0
            p = tab[present, j] / size[present]
            term = np.zeros(ng)
            term[present] = p * np.fromiter(map(math.log, p.tolist()), dtype=np.float64, count=p.size)
            h = h + term
        entropy = np.fromiter(map(math.exp, (-h).tolist()), dtype=np.float64, count=ng)
        desc = -np.sort(-tab, axis=1)
        tail = np.cumsum(desc[:, ::-1], axis=1)[:, ::-1]  # r_l + ... + r_d
        recursive = np.zeros(ng)
        for level in range(1, ns + 1):
            ok = (desc[:, 0] < c * tail[:, level - 1]) & (desc[:, level - 1] > 0)
            recursive = np.where(ok, float(level), recursive)
        out[f"{name}_Distinct_Ldiversity"] = distinct[gid]
        out[f"{name}_Entropy_Ldiversity"] = entropy[gid]
        out[f"{name}_Recursive_Ldiversity"] = recursive[gid]
    out["MultiEntropy_Ldiversity"] = np.zeros(n)
    out["MultiRecursive_Ldiversity"] = np.zeros(n)
    return out
