"""The sample: ARX's deterministic stream bit for bit, and the secure draw's share and freshness."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from unlinkable.dp.sampling import ARX_SEED, arx_deterministic_sample, secure_sample
from unlinkable.java_random import next_doubles

REFERENCE = json.loads((Path(__file__).resolve().parents[1] / "reference" / "arx_safepub.json").read_text(encoding="utf-8"))


def test_java_random_is_bit_for_bit():
    for seed, doubles in REFERENCE["random"].items():
        assert next_doubles(int(seed), len(doubles)).tolist() == doubles


def test_arx_sample_is_java_random_against_beta():
    doubles = np.array(REFERENCE["random"][str(ARX_SEED)])
    assert arx_deterministic_sample(len(doubles), 0.5).tolist() == (doubles < 0.5).tolist()


def test_secure_sample_share_and_freshness():
    n, beta = 200_000, 0.3
    a, b = secure_sample(n, beta), secure_sample(n, beta)
    sigma = (n * beta * (1 - beta)) ** 0.5
    assert abs(int(a.sum()) - n * beta) < 8 * sigma     # fails with probability < 1e-14
    assert not np.array_equal(a, b)                     # a fresh draw each time: no seed anywhere
