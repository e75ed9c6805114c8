"""ARX 3.9.2's own JUnit expectations for the issue #9 variants, on adult (loaded from
tests/reference/arx_variants.json, written by scripts/extract_arx_variant_cases.py).

Each case: levels and the loss string as ARX prints it, or no solution when ARX finds none.
Inclusion subsets are ARX's ``getSubset(size)``: ``java.util.Random(0xDEADBEEF).nextInt(size)``
drawn ``size`` times, regenerated here with Java's generator.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from unlinkable.anonymizer import Anonymizer
from unlinkable.errors import NoSolutionError

CASES = json.loads((Path(__file__).parent / "arx_variants.json").read_text())["cases"]


class JavaRandom:
    """``java.util.Random``: a 48-bit linear congruential generator (Knuth, TAOCP 2, 3.2.1)."""

    def __init__(self, seed: int) -> None:
        self.seed = (seed ^ 0x5DEECE66D) & ((1 << 48) - 1)

    def next_bits(self, bits: int) -> int:
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & ((1 << 48) - 1)
        value = self.seed >> (48 - bits)
        return value - (1 << 32) if value >= (1 << 31) else value

    def next_int(self, bound: int) -> int:
        if bound & -bound == bound:
            return (bound * self.next_bits(31)) >> 31
        while True:
            bits = self.next_bits(31)
            value = bits % bound
            if ((bits - value + bound - 1) & 0xFFFFFFFF) < (1 << 31):  # no int overflow: accept
                return value


def test_java_random_matches_java():
    # new Random(42).nextInt() is -1170105035 in every JVM
    assert JavaRandom(42).next_bits(32) == -1170105035


def subset_rows(size: int, seed: str) -> list[int]:
    value = int(seed, 16)
    value -= (1 << 32) if value >= (1 << 31) else 0   # a Java int literal, sign-extended to long
    rng = JavaRandom(value)
    return sorted({rng.next_int(size) for _ in range(size)})


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[f"{Path(c['file']).stem}-{c['position']}" for c in CASES])
def test_arx_variant_case(case, arx_data, tmp_path):
    folder = arx_data / case["dataset"]
    frame = pl.read_csv(folder / f"{case['dataset']}.csv", separator=";", infer_schema=False)
    sensitive = case["sensitive_attribute"]
    qis = [c for c in frame.columns if c != sensitive]
    hierarchies = {c: folder / f"{case['dataset']}_hierarchy_{c}.csv" for c in frame.columns}
    privacy = []
    for entry in case["privacy"]:
        if "inclusion" in entry:
            path = tmp_path / "subset.csv"
            frame[subset_rows(entry["inclusion"]["subset_size"], entry["inclusion"]["seed"])].write_csv(path)
            entry = {"inclusion": {"subset": str(path)}}
        privacy.append(entry)
    anonymizer = Anonymizer(quasi_identifiers=qis, hierarchies=hierarchies, privacy=privacy,
                            suppression_limit=case["suppression_limit"], metric=case["metric"],
                            sensitive=[sensitive] if sensitive else [], progress=False,
                            practical_monotonicity=case["practical_monotonicity"])
    if case["levels"] is None:
        with pytest.raises(NoSolutionError):
            anonymizer.fit(frame)
        return
    result = anonymizer.fit(frame)
    assert [result.transformation[q] for q in qis] == case["levels"]
    assert result.loss_string == case["loss"]
