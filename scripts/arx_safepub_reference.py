#!/usr/bin/env python3
"""Run ARX's own SafePub parameter calculation and java.util.Random, and store what they print.

ARX 3.9.2's ``dp/ParameterCalculation.java`` and its interval arithmetic (``reliability/``) are
compiled from the ARX mirror with the system's JDK and run for the (epsilon, delta) pairs of ARX's
``TestAnonymizationDifferentialPrivacy`` (and a few more); java.util.Random gives the first doubles
of ARX's deterministic seed. The output, ``tests/reference/arx_safepub.json``, is what
``tests/dp/`` compares with: facts computed by ARX, never by unlinkable.

Usage: python scripts/arx_safepub_reference.py [--mirror /work/.mirror/arx-deidentifier+arx/repo]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

CLASSES = ["reliability/IntervalArithmeticDouble", "reliability/IntervalDouble",
           "reliability/IntervalArithmeticException", "dp/ParameterCalculation"]
#: (epsilon expression in Java, delta): ARX's DP test cases, plus two more small budgets
PAIRS = [("2d", "1E-5"), ("1.5d", "1E-6"), ("LN2", "1E-7"), ("LN3", "1E-8"), ("0.01d", "1E-9"), ("1d", "1E-5"),
         ("1d", "1E-8"), ("LN2", "1E-6"), ("1d", "1E-7"), ("1.5d", "1E-8"), ("1d", "1E-6"), ("LN3", "1E-5"),
         ("LN2", "1E-8"), ("0.5d", "1E-6"), ("0.1d", "1E-6")]
MAIN = """
import org.deidentifier.arx.dp.ParameterCalculation;
public class Reference {
  static final double LN2 = Math.log(2), LN3 = Math.log(3);
  public static void main(String[] args) throws Exception {
    double[][] pairs = {%s};
    String[] names = {%s};
    StringBuilder out = new StringBuilder("{\\"parameters\\": [");
    for (int i = 0; i < pairs.length; i++) {
      ParameterCalculation c = new ParameterCalculation(pairs[i][0], pairs[i][1]);
      out.append(i == 0 ? "" : ", ").append("{\\"epsilon\\": \\"").append(names[i]).append("\\", \\"delta\\": ")
         .append(pairs[i][1]).append(", \\"k\\": ").append(c.getK()).append(", \\"beta\\": ").append(c.getBeta()).append("}");
    }
    out.append("], \\"random\\": {");
    long[] seeds = {0xDEADBEEF, 42L};
    for (int s = 0; s < seeds.length; s++) {
      java.util.Random r = new java.util.Random(seeds[s]);
      out.append(s == 0 ? "" : ", ").append("\\"").append(seeds[s]).append("\\": [");
      for (int i = 0; i < 20; i++) { out.append(i == 0 ? "" : ", ").append(r.nextDouble()); }
      out.append("]");
    }
    System.out.println(out.append("}}"));
  }
}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", default="/work/.mirror/arx-deidentifier+arx/repo")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        for name in CLASSES:
            target = src / "org/deidentifier/arx" / f"{name}.java"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(subprocess.run(["git", f"--git-dir={args.mirror}", "show",
                                               f"HEAD:src/main/org/deidentifier/arx/{name}.java"],
                                              check=True, capture_output=True).stdout)
        pairs = ", ".join(f"{{{e}, {d}}}" for e, d in PAIRS)
        names = ", ".join(f'"{e}"' for e, _ in PAIRS)
        (src / "Reference.java").write_text(MAIN % (pairs, names), encoding="utf-8")
        subprocess.run(["javac", "-d", f"{tmp}/out", *map(str, src.rglob("*.java"))], check=True)
        printed = subprocess.run(["java", "-cp", f"{tmp}/out", "Reference"], check=True, capture_output=True, text=True).stdout
    commit = subprocess.run(["git", f"--git-dir={args.mirror}", "rev-parse", "HEAD"], check=True, capture_output=True,
                            text=True).stdout.strip()
    data = {"source": {"repository": "arx-deidentifier/arx", "commit": commit,
                       "classes": [f"src/main/org/deidentifier/arx/{c}.java" for c in CLASSES] + ["java.util.Random"],
                       "produced_by": "scripts/arx_safepub_reference.py"}, **json.loads(printed)}
    out = Path(__file__).resolve().parents[1] / "tests" / "reference" / "arx_safepub.json"
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
