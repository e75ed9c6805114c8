"""``unlinkable.java_random`` against sequences printed by Java 17's ``java.util.Random``.

The expected numbers were printed by this Java program (kept here so anyone can re-run it)::

    Random r = new Random(0xDEADBEEF);
    for (int i = 0; i < 5; i++) print(r.nextInt(20000));
    print(r.nextInt(), r.nextDouble(), r.nextInt(1 << 10), r.nextLong(), r.nextInt(30162));
    Random q = new Random(42);
    print(q.nextInt(), q.nextDouble(), q.nextInt(7), q.nextInt(Integer.MAX_VALUE));
    Set<Integer> s = new HashSet<>(); Random z = new Random(0xDEADBEEF);
    for (int i = 0; i < 9000; i++) s.add(z.nextInt(9000));
    print(s.size());
"""

from __future__ import annotations

from unlinkable.java_random import JavaRandom, java_int, next_doubles


def test_sequences_printed_by_java():
    r = JavaRandom(java_int(0xDEADBEEF))
    assert [r.next_int(20000) for _ in range(5)] == [9335, 1336, 14476, 3301, 13513]
    assert r.next_int() == -1551205178
    assert r.next_double() == 0.008613164541980245
    assert r.next_int(1 << 10) == 878
    assert r.next_long() == -8051984995185385335
    assert r.next_int(30162) == 3697
    q = JavaRandom(42)
    assert [q.next_int(), q.next_double(), q.next_int(7), q.next_int(2**31 - 1)] == [
        -1170105035, 0.05466526274716077, 3, 662969970]


def test_arx_subset_size_printed_by_java():
    # ARX's TestAnonymizationSubset.getSubset(9000): 9000 draws of nextInt(9000) into a HashSet
    z = JavaRandom(java_int(0xDEADBEEF))
    assert len({z.next_int(9000) for _ in range(9000)}) == 5681


def test_first_draw_by_hand():
    # Javadoc: scrambled seed = (seed ^ 0x5DEECE66D) mod 2**48; next(32) = top 32 bits of one LCG step
    seed = (42 ^ 0x5DEECE66D) & ((1 << 48) - 1)
    step = (seed * 0x5DEECE66D + 0xB) & ((1 << 48) - 1)
    assert JavaRandom(42).next_int() == java_int(step >> 16)


def test_one_draw_at_a_time_equals_the_vectorised_stream():
    r = JavaRandom(java_int(0xDEADBEEF))
    assert [r.next_double() for _ in range(50)] == next_doubles(java_int(0xDEADBEEF), 50).tolist()
