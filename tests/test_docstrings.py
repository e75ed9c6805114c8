"""Every docstring example in the package runs (numpydoc `Examples` sections are tests)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import tempfile

import pytest

import unlinkable

#: the optional extras' packages (pyproject.toml): a module that needs a missing one is skipped
OPTIONAL = {"pyspark", "pandas", "h3"}


def _modules():
    names = [unlinkable.__name__]
    for info in pkgutil.walk_packages(unlinkable.__path__, prefix="unlinkable."):
        names.append(info.name)
    return sorted(n for n in names if not n.endswith("__main__"))


@pytest.mark.parametrize("name", _modules())
def test_examples_run(name, tmp_path, monkeypatch):
    # examples make their folders with tempfile.mkdtemp(); inside pytest's own folder they are removed with it
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        if (exc.name or "").partition(".")[0] not in OPTIONAL:
            raise  # one of our own modules fails to import: a failure, never a skip
        pytest.skip(f"{name} needs an optional dependency: {exc}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
