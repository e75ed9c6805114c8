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
"""
