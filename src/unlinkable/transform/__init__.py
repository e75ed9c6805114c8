"""Transformations of a table: global generalization and record suppression."""

from unlinkable.transform.generalize import Generalizer, NodeClasses, generalized_frame
from unlinkable.transform.suppress import suppression_budget, violating_classes

__all__ = ["Generalizer", "NodeClasses", "generalized_frame", "suppression_budget", "violating_classes"]
