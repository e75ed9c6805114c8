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


@pytest.fixture(scope="session")
def spark_backend():
    """One local[2] Spark session shared by every Spark test (skips, saying why, without pyspark or Java)."""
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install '.[spark]'; ./test installs it)")
    from unlinkable.backends.choice import SparkSettings
    from unlinkable.spark.backend import SparkBackend
    from unlinkable.spark.session import find_java

    if find_java() is None:
        pytest.skip("no Java runtime: the Spark tests need Java 17 (set JAVA_HOME or put java on the PATH)")
    backend = SparkBackend(SparkSettings(master="local[2]", conf={
        "spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2", "spark.ui.enabled": "false",
        "spark.driver.memory": "1g", "spark.sql.adaptive.enabled": "false"}))
    session = backend.session
    yield backend
    session.stop()


@pytest.fixture(params=["numpy", "spark"])
def any_backend(request):
    """Each available backend in turn: numpy, then Spark (on the shared local[2] session)."""
    if request.param == "numpy":
        from unlinkable.backends.numpy import NumpyBackend

        return NumpyBackend()
    return request.getfixturevalue("spark_backend")
