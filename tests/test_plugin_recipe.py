"""The README's recipe for a plug-in is the whole recipe: every registered privacy model, metric and
SDC step is made of exactly the pieces it lists (a file in its folder, a registry line, a checker)."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

from unlinkable.models import REGISTRY as MODELS
from unlinkable.models.base import PrivacyModel, Variants
from unlinkable.sdc.pipeline import REGISTRY as STEPS
from unlinkable.utility import METRICS
from unlinkable.utility.base import UtilityMetric
from unlinkable.verify import model_checker, step_checker

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "unlinkable"
README = (ROOT / "README.md").read_text()
RECIPE = README[README.index("Adding a plug-in is these edits"):README.index("Dependencies:")]


def test_the_recipe_names_places_that_exist():
    named = set(re.findall(r"`((?:models|utility|sdc)/[a-z_]+\.py|verify\.py)`", RECIPE))
    assert named == {"models/__init__.py", "utility/__init__.py", "sdc/pipeline.py", "verify.py"}
    for path in named:
        assert (SRC / path).is_file(), path
    for registry, module in (("REGISTRY", "unlinkable.models"), ("METRICS", "unlinkable.utility"),
                             ("REGISTRY", "unlinkable.sdc.pipeline"), ("_CHECKERS", "unlinkable.verify"),
                             ("_STEP_CHECKERS", "unlinkable.verify")):
        assert f"`{registry}`" in RECIPE
        assert isinstance(getattr(importlib.import_module(module), registry), dict)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_model_is_one_file_one_registry_line_and_one_checker(name):
    module, _, attribute = MODELS[name].partition(":")
    assert (SRC / "models" / f"{module}.py").is_file()
    built = getattr(importlib.import_module(f"unlinkable.models.{module}"), attribute)
    classes = list(built.classes.values()) if isinstance(built, Variants) else [built]
    for cls in classes:
        assert issubclass(cls, PrivacyModel) and cls.name == name
        assert cls.__module__ == f"unlinkable.models.{module}"
        # keyword-only parameters (from_config is derived from the declared ones)
        signature = inspect.signature(cls.__init__)
        positional = [p for p in list(signature.parameters.values())[1:]
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        assert not positional, f"{cls.__name__} takes {positional[0].name} by position"
    assert callable(model_checker(name))


@pytest.mark.parametrize("name", sorted(METRICS))
def test_a_metric_is_one_subclass_under_utility_and_one_registry_line(name):
    cls = METRICS[name]
    assert issubclass(cls, UtilityMetric)
    module = cls.__module__.rpartition(".")[2]
    assert cls.__module__ == f"unlinkable.utility.{module}" and (SRC / "utility" / f"{module}.py").is_file()


@pytest.mark.parametrize("name", sorted(STEPS))
def test_a_step_is_one_function_under_sdc_one_registry_line_and_one_checker(name):
    spec = STEPS[name]
    assert spec.run.__module__ == "unlinkable.sdc.pipeline"
    # the runner calls the method, imported from its own module under sdc/
    called = re.findall(r"from unlinkable\.sdc\.([a-z_]+) import", inspect.getsource(spec.run))
    assert called and all((SRC / "sdc" / f"{module}.py").is_file() for module in called)
    assert callable(step_checker(name))
