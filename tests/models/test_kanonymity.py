import numpy as np
import pytest

from unlinkable.errors import ConfigError
from unlinkable.models import model_from_config
from unlinkable.models.base import ClassStatistics
from unlinkable.models.kanonymity import KAnonymity


def test_check_sizes_against_k():
    # classes of sizes 3, 1, 2 with k = 2 -> pass, fail, pass
    stats = ClassStatistics(record_class=np.array([0, 0, 0, 1, 2, 2]), sizes=np.array([3, 1, 2]))
    assert KAnonymity(k=2).check(stats).tolist() == [True, False, True]


def test_declares_monotone_and_minimal_size():
    m = KAnonymity(k=5)
    assert m.monotone_generalization and m.monotone_suppression and m.per_class
    assert m.minimal_class_size() == 5


@pytest.mark.parametrize("k", [0, -1, 2.5, "x", True])
def test_invalid_k(k):
    with pytest.raises(ConfigError):
        KAnonymity(k=k)


def test_from_config_registry_roundtrip():
    m = model_from_config({"k-anonymity": {"k": 3}})
    assert isinstance(m, KAnonymity) and m.to_dict() == {"k-anonymity": {"k": 3}}
    with pytest.raises(ConfigError):
        model_from_config({"k-anonymity": {"k": 3, "l": 2}})
    with pytest.raises(ConfigError):
        model_from_config({"k-anonymity": {}})
