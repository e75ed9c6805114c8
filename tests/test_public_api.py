"""The public API is exactly __all__, and every name in it resolves."""

from __future__ import annotations

import unlinkable


def test_every_public_name_resolves():
    missing = []
    for name in unlinkable.__all__:
        try:
            getattr(unlinkable, name)
        except (AttributeError, ImportError) as exc:
            missing.append(f"{name}: {exc}")
    assert not missing, missing


def test_contract_names_are_public():
    for name in ("assess", "Anonymizer", "exposure", "Hierarchy", "datasets", "UnlinkableError"):
        assert name in unlinkable.__all__


def test_unknown_name():
    import pytest

    with pytest.raises(AttributeError):
        unlinkable.no_such_thing  # noqa: B018
