#!/usr/bin/env python3
"""Run ARX's genetic search with non-default settings on adult and store its optima.

ARX's own suite runs the genetic algorithm (``TestAnonymizationGenetic``) with its default settings
only. This script compiles ARX 3.9.2 from the mirror (as ``arx_classification_reference.py`` does)
and runs k-anonymity with the Loss metric on ARX's adult data, in ARX's deterministic genetic mode
(``new Random(0xDEADBEEF)``), with a step limit and the ``setGeneticAlgorithm*`` settings of each
configuration below, through ARX's own test fixture (``AbstractAnonymizationTest.getDataObject``).
The output, ``tests/reference/arx_genetic.json``, holds what ARX prints: facts computed by ARX.

Usage: python scripts/arx_genetic_reference.py [--mirror /work/.mirror/arx-deidentifier+arx/repo]
       [--data ../shared/data/arx/adult]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from arx_classification_reference import _git, compile_arx, reference_program  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: ARX's setter suffixes, in the order the Java program reads them
SETTINGS = ("subpopulation_size", "iterations", "elite_fraction", "crossover_fraction", "production_fraction",
            "mutation_probability", "immigration_fraction", "immigration_interval")
CONFIGURATIONS = [
    {"k": 5, "suppression_limit": 1.0, "step_limit": 1000, "subpopulation_size": 20, "iterations": 10,
     "elite_fraction": 0.1, "crossover_fraction": 0.3, "production_fraction": 0.5, "mutation_probability": 0.5,
     "immigration_fraction": 0.2, "immigration_interval": 10},
    {"k": 5, "suppression_limit": 0.04, "step_limit": 500, "subpopulation_size": 30, "iterations": 20,
     "elite_fraction": 0.3, "crossover_fraction": 0.1, "production_fraction": 0.3, "mutation_probability": 0.1,
     "immigration_fraction": 1.0, "immigration_interval": 3},
    {"k": 10, "suppression_limit": 0.02, "step_limit": 300, "subpopulation_size": 10, "iterations": 5,
     "elite_fraction": 0.2, "crossover_fraction": 0.2, "production_fraction": 0.2, "mutation_probability": 0.2,
     "immigration_fraction": 0.2, "immigration_interval": 10},
]
MAIN = reference_program(
    """ARXConfiguration config = ARXConfiguration.create(Double.parseDouble(p[1]), Metric.createLossMetric());
      config.setAlgorithm(AnonymizationAlgorithm.BEST_EFFORT_GENETIC);
      config.setGeneticAlgorithmDeterministic(true);
      config.setHeuristicSearchTimeLimit(Integer.MAX_VALUE);
      config.setHeuristicSearchStepLimit(Integer.parseInt(p[2]));
      config.setGeneticAlgorithmSubpopulationSize(Integer.parseInt(p[3]));
      config.setGeneticAlgorithmIterations(Integer.parseInt(p[4]));
      config.setGeneticAlgorithmEliteFraction(Double.parseDouble(p[5]));
      config.setGeneticAlgorithmCrossoverFraction(Double.parseDouble(p[6]));
      config.setGeneticAlgorithmProductionFraction(Double.parseDouble(p[7]));
      config.setGeneticAlgorithmMutationProbability(Double.parseDouble(p[8]));
      config.setGeneticAlgorithmImmigrationFraction(Double.parseDouble(p[9]));
      config.setGeneticAlgorithmImmigrationInterval(Integer.parseInt(p[10]));""",
    'new ARXAnonymizationTestCase(config, "./data/adult.csv", 0d, new int[0], false)',
    "optimum.getHighestScore().toString()",
    imports="import org.deidentifier.arx.ARXConfiguration.AnonymizationAlgorithm;")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", default="/work/.mirror/arx-deidentifier+arx/repo")
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "arx" / "adult"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        classpath = compile_arx(args.mirror, work, MAIN, Path(args.data))
        runs = [";".join(str(c[key]) for key in ("k", "suppression_limit", "step_limit", *SETTINGS)) for c in CONFIGURATIONS]
        run = subprocess.run(["java", "-cp", f"out:{classpath}", "Reference", *runs], cwd=work, capture_output=True,
                             text=True)
        if run.returncode:
            raise SystemExit(f"ARX failed:\n{run.stderr[-3000:]}")
        printed = run.stdout
    results = json.loads(printed.strip().splitlines()[-1])
    commit = _git(args.mirror, "rev-parse", "HEAD").decode().strip()
    data = {"source": {"repository": "arx-deidentifier/arx", "commit": commit,
                       "classes": ["src/main/org/deidentifier/arx/algorithm/GeneticAlgorithm.java",
                                   "src/test/org/deidentifier/arx/test/AbstractAnonymizationTest.java"],
                       "data": "ARX's data/adult.csv and its hierarchies",
                       "produced_by": "scripts/arx_genetic_reference.py"},
            "cases": [{**c, **result} for c, result in zip(CONFIGURATIONS, results)]}
    out = ROOT / "tests" / "reference" / "arx_genetic.json"
    out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
