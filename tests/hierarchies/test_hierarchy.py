from __future__ import annotations

import pytest

from unlinkable.errors import HierarchyError
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.hierarchies.io import read_hierarchy, write_hierarchy

ROWS = [["81675", "8167*", "816**", "*"], ["81667", "8166*", "816**", "*"], ["81925", "8192*", "819**", "*"]]


def test_encode_against_dictionary():
    gm = Hierarchy(ROWS).encode(["81925", "81675"])
    # level 2: '816**' first seen in row 1, '819**' in row 3
    assert gm.table.tolist() == [[2, 2, 1, 0], [0, 0, 0, 0]]
    assert gm.labels[2] == ("816**", "819**")
    assert gm.row_counts[2].tolist() == [2, 1]
    assert gm.domain_size == 3


def test_value_missing_from_hierarchy_counts_and_examples():
    with pytest.raises(HierarchyError, match=r"2 value\(s\).*'99999'"):
        Hierarchy(ROWS).encode(["81675", "99999", "11111"], column="zip")


def test_ragged_rows():
    with pytest.raises(HierarchyError, match="ragged"):
        Hierarchy([["a", "*"], ["b"]])


def test_not_a_coarsening():
    with pytest.raises(HierarchyError, match="not a coarsening"):
        Hierarchy([["a", "x", "*"], ["b", "x", "y"]])


def test_duplicate_value():
    with pytest.raises(HierarchyError, match="appears in rows 1 and 2"):
        Hierarchy([["a", "*"], ["a", "*"]])


def test_round_trip(tmp_path):
    h = Hierarchy(ROWS)
    p = write_hierarchy(h, tmp_path / "h.csv")
    assert read_hierarchy(p) == h


def test_arx_files_read(arx_data):
    for path in sorted(arx_data.glob("*/*_hierarchy_*.csv")):
        h = read_hierarchy(path)
        lines = [l for l in path.read_bytes().decode().splitlines() if l]
        assert len(h) == len(lines)
        assert h.levels == lines[0].count(";") + 1
