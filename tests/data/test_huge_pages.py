"""numpy's huge-page advice: off while a fit or an assessment runs, the caller's setting back afterwards."""

from __future__ import annotations

import polars as pl
from numpy._core import multiarray

from unlinkable.anonymizer import Anonymizer
from unlinkable.assessment import assess
from unlinkable.data import huge_pages
from unlinkable.data.huge_pages import huge_pages_off
from unlinkable.hierarchies.hierarchy import Hierarchy


def _current() -> bool:
    previous = multiarray._set_madvise_hugepage(True)
    multiarray._set_madvise_hugepage(previous)
    return bool(previous)


def test_off_inside_and_the_callers_setting_back(monkeypatch):
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    for setting in (True, False):
        before = multiarray._set_madvise_hugepage(setting)
        try:
            with huge_pages_off():
                assert _current() is False
            assert _current() is setting
        finally:
            multiarray._set_madvise_hugepage(before)


def test_a_callers_environment_setting_is_kept(monkeypatch):
    monkeypatch.setenv("NUMPY_MADVISE_HUGEPAGE", "1")
    before = multiarray._set_madvise_hugepage(True)
    try:
        with huge_pages_off():
            assert _current() is True
    finally:
        multiarray._set_madvise_hugepage(before)


def test_fit_and_assess_run_with_it_off(monkeypatch):
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    seen = []
    real = huge_pages_off

    def spy():
        seen.append(True)
        return real()

    monkeypatch.setattr("unlinkable.anonymizer.huge_pages_off", spy)
    monkeypatch.setattr("unlinkable.assessment.huge_pages_off", spy)
    frame = pl.DataFrame({"zip": ["81667", "81675"] * 4})
    h = Hierarchy([["81667", "816**", "*"], ["81675", "816**", "*"]])
    Anonymizer(quasi_identifiers=["zip"], hierarchies={"zip": h}, privacy=[{"k-anonymity": {"k": 2}}],
               progress=False).fit(frame)
    assess(frame, quasi_identifiers=["zip"])
    assert len(seen) >= 2
    assert huge_pages._setter() is not None
