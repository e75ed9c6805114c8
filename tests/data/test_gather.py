"""take_blocks: numpy's take, block by block, for any integer index type and length."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.data.gather import take_blocks


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 40), rows=st.integers(0, 300), block=st.integers(1, 17), seed=st.integers(0, 2**16),
       index_type=st.sampled_from([np.int32, np.uint32, np.int64, np.uint8, np.intp]), given_out=st.booleans())
def test_equals_take_for_every_index_type_and_block(size, rows, block, seed, index_type, given_out):
    rng = np.random.default_rng(seed)
    values = rng.integers(-1000, 1000, size).astype(np.int16)
    index = rng.integers(0, min(size, np.iinfo(index_type).max + 1), rows).astype(index_type)
    out = np.full(rows, 7, dtype=np.int16) if given_out else None
    taken = take_blocks(values, index, out, block=block)  # many blocks, and a last one cut short
    assert taken.dtype == values.dtype and taken.tolist() == [int(values[i]) for i in index.tolist()]
    if given_out:
        assert taken is out
