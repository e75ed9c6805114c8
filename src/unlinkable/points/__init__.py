"""Data with many points per person: shopping baskets, diagnosis-code sets, visits.

::

    encoded.py     Points: records -> CSR arrays of int item codes (+ optional time, quantity)
    read.py        input forms: long table, basket-lines files, list columns
    hierarchy.py   item hierarchies (ARX CSV) and builders: balanced fan-out, parent-child CSV
    subsets.py     the kernel: supports of all itemsets of one size, on packed integer keys
    unicity.py     unicity epsilon_p (exact and sampled)
    km.py          k^m exposure (itemsets of size <= m with support below k)
    assess.py      the set-valued assessment: one dict of figures, no raw basket in it
    job.py         the set-valued job file (transactions:, input.format: basket-lines, assess:)
    synthetic.py   a seeded basket generator (Zipf popularity, categories, repeat visitors)
    resolution.py  points at a resolution: time bins and price bands folded into each point
    cut.py         a global recoding of the items (a hierarchy cut, suppression) and its NCP
    km_anonymity.py, rho_uncertainty.py, generalize.py   the models and their greedy fixes
    optimal_cut.py every cut of a small hierarchy, the least NCP that holds (optimal)
    anonymize.py   the search: optimal cut or greedy rounds, within the suppression budget
    relational.py  quasi-identifiers beside the items (relational + transaction data)
    utility.py     the top-1000 itemsets' support error
    release.py     the release verified (verify_points.py) and measured; records without items left out
    write.py       the release in its input's form (reads back with the job's input settings)
"""
