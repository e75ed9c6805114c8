"""Trajectory k-anonymization with the independent verifier: what a trajectory release goes through.

It sits above ``verify_traces.py`` (the search in ``kanonymity.py`` sits below it), so the
layering holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unlinkable.traces.kanonymity import TraceRelease, trajectory_k_anonymize
from unlinkable.traces.resolution import bin_seconds
from unlinkable.verify_traces import verify_trace_release


def anonymize_traces(points: Any, columns: Mapping[str, str | None], *, k: int, p: int, **options: Any) -> TraceRelease:
    """:func:`~unlinkable.traces.kanonymity.trajectory_k_anonymize`, then the independent verifier (fail closed).

    Examples
    --------
    >>> import polars as pl
    >>> pts = pl.DataFrame({"u": [1, 2, 3], "lat": [45.0, 45.0005, 45.001], "lng": [7.0] * 3})
    >>> r = anonymize_traces(pts, {"user": "u", "lat": "lat", "lng": "lng"}, k=3, p=1, space=[1000])
    >>> r.points.height, r.grid_m
    (3, 1000.0)
    """
    release = trajectory_k_anonymize(points, columns, k=k, p=p, **options)
    width = bin_seconds(release.time_bin) if release.time_bin is not None else None
    verify_trace_release(release.points, k=release.k, p=release.p, grid_m=release.grid_m, bin_s=width, h3=release.h3)
    return release


__all__ = ["anonymize_traces"]
