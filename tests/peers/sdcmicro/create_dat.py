"""sdcMicro's ``createDat(N)`` (R/createDat.R) on R's stream: its dummy households for record swapping.

Test support only. After ``set.seed(seed)``, createDat draws per household nuts1 (1..3), nuts2 (1..5),
nuts3 (1..15), lau2 (1..5), hsize (1..6), htype (1..10), hincome (1..10), each with
``sample(.., replace = TRUE)``; repeats them hsize times (hid = household number), then per person
gender (1, 2), ageGroup (1..7), national (1..5); the areas become nested codes: nuts2 = nuts1 nuts2
pasted, nuts3 = nuts2 and nuts3 as two digits, lau2 = nuts3 and lau2.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from r_random import RRandom

COLUMNS = ("nuts1", "nuts2", "nuts3", "lau2", "hid", "hsize", "ageGroup", "gender", "national", "htype", "hincome")


def create_dat(n: int, r: RRandom) -> pl.DataFrame:
    """``createDat(n)`` drawn from ``r`` (already seeded), as a polars frame of Int64 columns."""
    nuts1, nuts2, nuts3, lau2, hsize, htype, hincome = (r.sample_int(k, n) for k in (3, 5, 15, 5, 6, 10, 10))
    hid = np.repeat(np.arange(1, n + 1), hsize)
    m = hid.size
    gender, age, national = r.sample_int(2, m), r.sample_int(7, m), r.sample_int(5, m)
    code2 = nuts1 * 10 + nuts2              # paste0(nuts1, nuts2): one digit each
    code3 = code2 * 100 + nuts3             # nuts3 padded to two digits
    code4 = code3 * 10 + lau2               # help_0[5 - nchar(nuts3)] is "" for 4-character nuts3
    per_household = {"nuts1": nuts1, "nuts2": code2, "nuts3": code3, "lau2": code4}
    columns = {name: np.repeat(v, hsize) for name, v in per_household.items()}
    columns.update(hid=hid, hsize=np.repeat(hsize, hsize), ageGroup=age, gender=gender, national=national,
                   htype=np.repeat(htype, hsize), hincome=np.repeat(hincome, hsize))
    return pl.DataFrame({c: columns[c].astype(np.int64) for c in COLUMNS})
