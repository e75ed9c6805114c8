from unlinkable.search.lattice import Lattice


def test_ids_levels_and_neighbours():
    lat = Lattice([2, 3, 2])
    assert lat.size == 12
    for v in range(lat.size):
        assert lat.id_of(lat.levels_of(v)) == v
        for s in lat.successors(v):
            assert lat.level_sum[s] == lat.level_sum[v] + 1 and lat.is_generalization_of(s, v)
            assert v in lat.predecessors(s)
    # ARX order: first attribute is the least significant digit
    assert lat.levels_of(1).tolist() == [1, 0, 0]
    assert [lat.levels_of(v).tolist() for v in lat.nodes_on_level(1)] == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]


def test_boxes_are_all_generalizations_or_specializations():
    lat = Lattice([3, 1, 2, 4])
    for v in range(lat.size):
        up = {u for u in range(lat.size) if (lat.levels[u] >= lat.levels[v]).all()}
        down = {u for u in range(lat.size) if (lat.levels[u] <= lat.levels[v]).all()}
        assert sorted(lat.box(v, True).tolist()) == sorted(up)
        assert sorted(lat.box(v, False).tolist()) == sorted(down)
    # With a closed mark set, the part beyond a marked neighbour is left out and nothing else.
    marks = bytearray(lat.size)
    for u in lat.box(lat.id_of([1, 0, 1, 1]), True).tolist():
        marks[u] = 1
    v = lat.id_of([0, 0, 1, 1])
    rest = set(lat.box(v, True, marks).tolist())
    assert rest | {u for u in range(lat.size) if marks[u]} >= {u for u in range(lat.size)
                                                             if (lat.levels[u] >= lat.levels[v]).all()}
    assert all(lat.levels_of(u)[0] == 0 for u in rest)
