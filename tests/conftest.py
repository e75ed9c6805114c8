"""Shared fixtures. Reference data lives in ../shared beside the checkout and is never copied in."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests: no per-example deadline (a loaded 2-core machine is slow, not wrong). Under CI the
# examples are derandomized, so a run is reproducible; locally they stay random to keep finding bugs.
settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared benchmark data lives beside the checkout in ../shared")
    return path


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared, or skip saying why."""
    return _need(SHARED)


@pytest.fixture(scope="session")
def arx_data(shared_dir: Path) -> Path:
    return _need(shared_dir / "data" / "arx")


@pytest.fixture(scope="session")
def sdc_data(shared_dir: Path) -> Path:
    return _need(shared_dir / "data" / "sdcmicro")


@pytest.fixture(scope="session")
def arx_reference(shared_dir: Path) -> dict[str, dict]:
    """ARX reference JSON by dataset name: {'adult': {...}, 'test': {...}}."""
    folder = _need(shared_dir / "reference" / "arx")
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


@pytest.fixture(scope="session")
def sdc_reference(shared_dir: Path) -> dict[str, dict]:
    """sdcMicro reference JSON by file stem: {'testdata': {...}, 'francdat': {...}, ...}."""
    folder = _need(shared_dir / "reference" / "sdcmicro")
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}
