#!/usr/bin/env python3
"""Record what the JDK's ``java.util.Random``, ``Collections.shuffle``, ``Math.round`` and
``java.util.PriorityQueue`` do, into ``tests/reference/java_reference.json``.

Usage::

    python scripts/java_reference.py [--out tests/reference/java_reference.json]

Needs ``javac`` and ``java`` (run with JDK 17). ARX's heuristic searches depend on these classes'
exact behaviour (the genetic search's draws, the order LIGHTNING's queue returns equal-loss nodes
in); the tests replay the recorded operations against ``unlinkable.java_random`` and the
LIGHTNING queue. The Java program below is written for this purpose; its output is the reference.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PROGRAM = r"""
import java.util.*;

public class JavaReference {
    public static void main(String[] args) {
        StringBuilder out = new StringBuilder("{");
        // 1. Random streams: nextInt(bound) for several bounds, nextDouble, interleaved
        long[] seeds = {0L, 42L, 0xDEADBEEF, -1L, 123456789012345L};
        int[] bounds = {1, 2, 3, 7, 10, 16, 109, 1 << 20, 1999999999, Integer.MAX_VALUE};
        out.append("\"random\": [");
        for (int s = 0; s < seeds.length; s++) {
            Random r = new Random(seeds[s]);
            out.append(s > 0 ? "," : "").append("{\"seed\": ").append(seeds[s]).append(", \"draws\": [");
            for (int i = 0; i < 60; i++) {
                int b = bounds[i % bounds.length];
                out.append(i > 0 ? "," : "").append("[").append(b).append(",").append(r.nextInt(b)).append(",")
                   .append(Double.toString(r.nextDouble())).append("]");
            }
            List<Integer> list = new ArrayList<>();
            for (int i = 0; i < 9; i++) list.add(i);
            Collections.shuffle(list, r);
            out.append("], \"shuffled\": ").append(list).append("}");
        }
        out.append("]");
        // 2. Math.round on values near halves
        double[] values = {0.0, 0.5, 1.5, 2.5, 0.49999999999999994, 1.4999999999999998, 2.4999999999999996, 3.7, 1e15 + 0.5};
        out.append(", \"round\": [");
        for (int i = 0; i < values.length; i++) {
            out.append(i > 0 ? "," : "").append("[").append(Double.toString(values[i])).append(",").append(Math.round(values[i])).append("]");
        }
        out.append("]");
        // 3. PriorityQueue with a comparator on few distinct keys (many ties), add/poll/remove
        Random r = new Random(7);
        final int[] key = new int[50];
        for (int i = 0; i < key.length; i++) key[i] = r.nextInt(4);
        PriorityQueue<Integer> q = new PriorityQueue<>(new Comparator<Integer>() {
            public int compare(Integer a, Integer b) { return Integer.compare(key[a], key[b]); }
        });
        out.append(", \"queue\": {\"keys\": ").append(Arrays.toString(key)).append(", \"ops\": [");
        for (int i = 0; i < 400; i++) {
            int op = r.nextInt(5);
            String text;
            if (op < 2) {
                int x = r.nextInt(key.length);
                q.add(x);
                text = "[\"add\"," + x + "]";
            } else if (op < 4) {
                Integer x = q.poll();
                text = "[\"poll\"," + (x == null ? -1 : x) + "]";
            } else {
                int x = r.nextInt(key.length);
                q.remove(x);
                text = "[\"remove\"," + x + "]";
            }
            out.append(i > 0 ? "," : "").append(text);
        }
        out.append("]}}");
        System.out.println(out);
    }
}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parents[1] / "tests/reference/java_reference.json")
    ns = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "JavaReference.java").write_text(PROGRAM, encoding="utf-8")
        subprocess.run(["javac", "JavaReference.java"], cwd=tmp, check=True)
        text = subprocess.run(["java", "-cp", tmp, "JavaReference"], check=True, capture_output=True,
                              text=True).stdout
        version = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    data = {"produced_by": "scripts/java_reference.py", "java": version, **json.loads(text)}
    tmp_out = ns.out.with_suffix(".tmp")
    tmp_out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp_out, ns.out)
    print(f"-> {ns.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
