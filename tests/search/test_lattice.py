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
