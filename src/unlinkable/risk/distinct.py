"""The distinct quasi-identifier tuples of a table with their counts (grouping lives in the backends).

Re-exported from :mod:`unlinkable.backends.distinct`, where every backend's grouping is defined.
"""

from unlinkable.backends.distinct import DistinctTuples, distinct_tuples

__all__ = ["DistinctTuples", "distinct_tuples"]
