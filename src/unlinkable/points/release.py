"""k^m-anonymization with the independent verifier: what a release of set-valued data goes through.

It sits above ``verify.py`` (the search in ``km_anonymity.py`` sits below it), so the layering holds.
"""

from __future__ import annotations

from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.points.encoded import Points
from unlinkable.points.km_anonymity import KmRelease, baskets_text, km_anonymize
from unlinkable.verify import verify_points_release

__all__ = ["anonymize_km"]


def anonymize_km(points: Points, hierarchy: Hierarchy, *, k: int, m: int) -> KmRelease:
    """:func:`km_anonymize`, then the independent verifier on the released text (fail closed).

    Examples
    --------
    >>> h = Hierarchy([["milk", "drink", "*"], ["tea", "drink", "*"], ["bread", "food", "*"]])
    >>> p = Points.from_codes([0, 1, 2, 3], [1, 2, 0, 0], labels=("bread", "milk", "tea"))
    >>> baskets_text(anonymize_km(p, h, k=2, m=1).points)
    [['drink'], ['drink'], ['bread'], ['bread']]
    """
    release = km_anonymize(points, hierarchy, k=k, m=m)
    verify_points_release(baskets_text(release.points), original=baskets_text(points), hierarchy=hierarchy,
                          models=[{"km-anonymity": {"k": release.k, "m": release.m}}])
    return release
