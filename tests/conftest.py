"""Shared fixtures. Reference data lives in ../shared beside the checkout and is never copied in."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
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


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the groups
def pytest_collection_modifyitems(config, items):
    """Every test on the shared Spark session joins one xdist group, so that ``./test`` (``--dist
    loadgroup``) runs them all on one worker: one JVM starts and warms up, not one per worker (the
    JVM's start, query planning and compiling cost more CPU than the tests' queries themselves).
    Likewise every test on the README's ``./run`` (``demo_run``): it runs once, not once per worker."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        fixtures = getattr(item, "fixturenames", ())
        if "spark_backend" in fixtures or params.get("any_backend") == "spark":
            item.add_marker(pytest.mark.xdist_group("spark"))
        elif "demo_run" in fixtures:
            item.add_marker(pytest.mark.xdist_group("demo"))


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared benchmark data lives beside the checkout in ../shared")
    return path


#: the environment of a fresh login shell, as the README's console examples are run in
FRESH_SHELL = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "COLUMNS": "120"}


@dataclass(frozen=True)
class DemoRun:
    """The README's first command (``./run``), run once for the session: ``sandbox`` is the copy of the
    repository's folder it ran in (the README's later commands go on there), ``stdout`` what it printed,
    ``written`` the files it wrote into ``out/`` and ``out`` a copy of them taken before anything else ran."""

    sandbox: Path
    stdout: str
    written: tuple[str, ...]
    out: Path


def console_blocks() -> list[list[str]]:
    """The README's console examples: the commands (``$ `` lines) of each block."""
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```console\n(.*?)```", readme, flags=re.S)
    return [[line[2:] for line in block.splitlines() if line.startswith("$ ")] for block in blocks]


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """``./run`` as the README's first console line says, from a fresh shell in a copy of the repository's
    folder (links to the script, ``scripts/``, ``pyproject.toml``, the installed ``.venv`` and ``src/``), once:
    the README's console examples go on from it and tests/test_demo.py checks what it wrote."""
    sandbox = tmp_path_factory.mktemp("readme")
    for name in ("run", "scripts", "pyproject.toml", ".venv", "src"):
        (sandbox / name).symlink_to(ROOT / name)
    first = console_blocks()[0][0]
    assert first == "./run", f"the README's first command is {first!r}: demo_run runs ./run"
    r = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-c", first], capture_output=True, text=True,
                       cwd=sandbox, env={**FRESH_SHELL, "HOME": str(sandbox)}, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    written = tuple(sorted(p.name for p in (sandbox / "out").iterdir()))
    out = tmp_path_factory.mktemp("demo") / "out"
    shutil.copytree(sandbox / "out", out)
    return DemoRun(sandbox, r.stdout, written, out)


@pytest.fixture(scope="session")
def r_stream() -> type:
    """R's default random stream (``RRandom``, seeded as ``set.seed``) from the sdcMicro peers' r_random.py:
    lets a method that takes a generator replay the draws an R reference run made."""
    spec = importlib.util.spec_from_file_location("r_random", ROOT / "tests" / "peers" / "sdcmicro" / "r_random.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.RRandom  # type: ignore[no-any-return]


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
def adult_arx_releases(arx_data: Path, arx_reference: dict[str, dict]) -> list[dict]:
    """Adult generalized to ARX's optimum of its first three k-anonymity Loss configurations on 9
    quasi-identifiers, classes below k suppressed (``*`` everywhere) as ARX does: per configuration
    ``config``, ``data`` (adult), ``release``, ``suppressed`` (bool per record) and ``hierarchies``."""
    import polars as pl

    from unlinkable.data.io import read_table
    from unlinkable.hierarchies.io import read_hierarchy

    folder = arx_data / "adult"
    data = read_table(folder / "adult.csv")
    cols = data.columns
    hs = {c: read_hierarchy(folder / f"adult_hierarchy_{c}.csv", name=c) for c in cols}
    configs = [c for c in arx_reference["adult"]["configurations"]
               if c["privacy_model"].get("model") == "k-anonymity" and c["id"].endswith("loss_qi9")]
    assert configs
    out = []
    for cfg in configs[:3]:
        levels, k = cfg["optimum"]["levels"], cfg["privacy_model"]["k"]
        gen = data.with_columns([
            pl.col(c).replace_strict({row[0]: row[levels[c]] for row in hs[c].rows}, default=pl.col(c)).alias(c)
            for c in cols if levels[c]])
        small = gen.join(gen.group_by(cols).len(), on=cols, how="left", maintain_order="left")["len"] < k
        gen = gen.with_columns([pl.when(small).then(pl.lit("*")).otherwise(pl.col(c)).alias(c) for c in cols])
        out.append({"config": cfg, "data": data, "release": gen, "suppressed": small.to_numpy(), "hierarchies": hs})
    return out


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
        "spark.driver.memory": "1g", "spark.sql.adaptive.enabled": "false",
        # the JVM's quick compiler only, and one GC thread: the test queries are small and short, and
        # the optimizing compiler's threads took CPU from the other test worker (the Spark tests: 218
        # -> 174 CPU-s on two cores); how fast, never what, is computed
        "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}))
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
