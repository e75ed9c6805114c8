#!/usr/bin/env python3
"""Run ARX's classification metric on adult and store its optima and losses.

ARX's JUnit suite uses ``Metric.createClassificationMetric`` only inside the data-dependent
differential-privacy search (whose cases ``tests/peers/arx`` runs). For the metric on its own, this
script compiles ARX 3.9.2 from the mirror (``src/main`` and ``src/test``, with the jars the mirror
holds; ``pdfbox-app.jar`` and ``hadoop-core.jar`` are absent, so empty types stand in for the two
that the certificate code and mahout's logistic regression name) and runs k-anonymity on ARX's adult data with the classification metric,
through ARX's own test fixture (``AbstractAnonymizationTest.getDataObject``, response variables
set as its test cases set them). The output, ``tests/reference/arx_classification.json``, holds what
ARX prints: facts computed by ARX, never by unlinkable.

Usage: python scripts/arx_classification_reference.py [--mirror /work/.mirror/arx-deidentifier+arx/repo]
       [--data ../shared/data/arx/adult]
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: (k, suppression limit, gs-factor, response variables)
CONFIGURATIONS = [(5, 0.04, 0.5, ["salary-class"]), (2, 0.0, 0.5, ["salary-class"]),
                  (10, 0.1, 0.3, ["occupation", "salary-class"]), (5, 0.02, 0.8, ["salary-class"]),
                  (3, 0.05, 0.0, ["education"])]
#: types of jars the mirror does not hold (pdfbox-app, hadoop-core), named but never used on this path
STUBS = [("org.apache.pdfbox.pdmodel.font", "class PDFont"), ("org.apache.hadoop.io", "interface Writable")]
def reference_program(configure: str, test_case: str, score: str, imports: str = "") -> str:
    """``Reference.java``: for each argument (fields split by ``;`` into ``p``), ``configure`` builds
    ``config`` (KAnonymity(p[0]) is added), ``test_case`` the ARX test fixture's case on adult, and the
    optimum's transformation and ``score`` (an expression of ``optimum``) are printed as JSON."""
    return f"""
import java.util.*;
import org.deidentifier.arx.*;
import org.deidentifier.arx.criteria.KAnonymity;
import org.deidentifier.arx.metric.Metric;
import org.deidentifier.arx.test.AbstractAnonymizationTest;
import org.deidentifier.arx.test.AbstractAnonymizationTest.ARXAnonymizationTestCase;
{imports}
public class Reference {{
  public static void main(String[] args) throws Exception {{
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < args.length; i++) {{
      String[] p = args[i].split(";");
      {configure}
      config.addPrivacyModel(new KAnonymity(Integer.parseInt(p[0])));
      ARXAnonymizationTestCase tc = {test_case};
      ARXResult result = new ARXAnonymizer().anonymize(AbstractAnonymizationTest.getDataObject(tc), config);
      ARXLattice.ARXNode optimum = result.getGlobalOptimum();
      out.append(i == 0 ? "" : ", ").append("{{\\"transformation\\": ").append(Arrays.toString(optimum.getTransformation()))
         .append(", \\"loss\\": \\"").append({score}).append("\\"}}");
    }}
    System.out.println(out.append("]"));
  }}
}}
"""


MAIN = reference_program(
    "ARXConfiguration config = ARXConfiguration.create(Double.parseDouble(p[1]), "
    "Metric.createClassificationMetric(Double.parseDouble(p[2])));",
    'new ARXAnonymizationTestCase(config, "", "./data/adult.csv", 0d, new int[0], false, null, p[3].split(","))',
    "optimum.getHighestScore().getValue()")


def _git(mirror: str, *args: str) -> bytes:
    return subprocess.run(["git", f"--git-dir={mirror}", *args], check=True, capture_output=True).stdout


def compile_arx(mirror: str, work: Path, main_source: str, data: Path) -> str:
    """Compile ARX's ``src/main`` and ``src/test`` from the mirror with ``Reference.java`` (``main_source``)
    into ``work/out``, link ARX's adult data into ``work/data``; return the jars' classpath."""
    tarfile.open(fileobj=io.BytesIO(_git(mirror, "archive", "HEAD", "src/main", "src/test"))).extractall(work)
    jars = []
    for name in _git(mirror, "ls-tree", "-r", "--name-only", "HEAD", "lib").decode().split():
        if name.endswith(".jar") and subprocess.run(["git", f"--git-dir={mirror}", "cat-file", "-e",
                                                     f"HEAD:{name}"], capture_output=True).returncode == 0:
            jar = work / "jars" / Path(name).name
            jar.parent.mkdir(exist_ok=True)
            jar.write_bytes(_git(mirror, "show", f"HEAD:{name}"))
            jars.append(str(jar))
    for package, declaration in STUBS:
        stub = work / "stubs" / package.replace(".", "/") / f"{declaration.split()[-1]}.java"
        stub.parent.mkdir(parents=True)
        stub.write_text(f"package {package};\npublic {declaration} {{}}\n", encoding="utf-8")
    (work / "Reference.java").write_text(main_source, encoding="utf-8")
    classpath = ":".join(jars)
    subprocess.run(["javac", "-nowarn", "-implicit:class", "-sourcepath", "src/main:src/test:stubs", "-cp", classpath,
                    "-d", "out", "Reference.java"], check=True, cwd=work)
    (work / "data").mkdir()
    for source in data.glob("adult*.csv"):
        (work / "data" / source.name).symlink_to(source.resolve())
    return classpath


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", default="/work/.mirror/arx-deidentifier+arx/repo")
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "arx" / "adult"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        classpath = compile_arx(args.mirror, work, MAIN, Path(args.data))
        runs = [f"{k};{limit};{gs};{','.join(response)}" for k, limit, gs, response in CONFIGURATIONS]
        printed = subprocess.run(["java", "-cp", f"out:{classpath}", "Reference", *runs], check=True, cwd=work,
                                 capture_output=True, text=True).stdout
    results = json.loads(printed.strip().splitlines()[-1])
    commit = _git(args.mirror, "rev-parse", "HEAD").decode().strip()
    data = {"source": {"repository": "arx-deidentifier/arx", "commit": commit,
                       "classes": ["src/main/org/deidentifier/arx/metric/v2/MetricSDClassification.java",
                                   "src/test/org/deidentifier/arx/test/AbstractAnonymizationTest.java"],
                       "data": "ARX's data/adult.csv and its hierarchies",
                       "produced_by": "scripts/arx_classification_reference.py"},
            "cases": [{"k": k, "suppression_limit": limit, "gs_factor": gs, "response": response, **result}
                      for (k, limit, gs, response), result in zip(CONFIGURATIONS, results)]}
    out = ROOT / "tests" / "reference" / "arx_classification.json"
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
