#!/usr/bin/env python3
"""Extract the cost-benefit configurations of ARX's profitability tests into ``tests/peers/arx/cost_benefit.json``.

Usage::

    python scripts/extract_arx_cost_benefit.py ARX_GIT_DIR [--out tests/peers/arx/cost_benefit.json]

``TestAnonymizationProfitability`` builds its configurations in ``getConfig1()`` ... ``getConfig4()``
(``ARXCostBenefitConfiguration.create().setAdversaryCost(2d)...``); a case without
``setCostBenefitConfiguration`` uses the defaults, the field initializers of
``ARXCostBenefitConfiguration``. Both are read from ARX's sources as data; nothing is typed in.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from pathlib import Path

TEST = "src/test/org/deidentifier/arx/test/TestAnonymizationProfitability.java"
CONFIG = "src/main/org/deidentifier/arx/ARXCostBenefitConfiguration.java"
#: ARX's setter and field names -> the job file's parameter names
NAMES = {"PublisherBenefit": "publisher_benefit", "PublisherLoss": "publisher_loss",
         "AdversaryGain": "adversary_gain", "AdversaryCost": "adversary_cost"}
_NUMBER = r"([0-9.]+(?:[eE][-+]?[0-9]+)?)[dD]?"


def _show(git_dir: str, path: str) -> str:
    return subprocess.run(["git", f"--git-dir={git_dir}", "show", f"HEAD:{path}"], check=True, capture_output=True,
                          text=True).stdout


def extract(git_dir: str) -> dict:
    defaults = {}
    for setter, key in NAMES.items():
        field = setter[0].lower() + setter[1:]
        found = re.search(rf"private\s+double\s+{field}\s*=\s*{_NUMBER}\s*;", _show(git_dir, CONFIG))
        assert found, f"no default for {field}"
        defaults[key] = float(found.group(1))
    configs = {}
    source = _show(git_dir, TEST)
    for name, body in re.findall(r"ARXCostBenefitConfiguration\s+(getConfig\d+)\s*\(\s*\)\s*\{(.*?)\}", source, re.S):
        values = dict(defaults)
        for setter, number in re.findall(rf"\.set(\w+)\(\s*{_NUMBER}\s*\)", body):
            values[NAMES[setter]] = float(number)
        configs[name] = values
    commit = subprocess.run(["git", f"--git-dir={git_dir}", "rev-parse", "HEAD"], check=True, capture_output=True,
                            text=True).stdout.strip()
    return {"source": {"repository": "arx-deidentifier/arx", "commit": commit, "files": [TEST, CONFIG],
                       "extracted_by": "scripts/extract_arx_cost_benefit.py"},
            "defaults": defaults, "configurations": configs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("git_dir")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "tests/peers/arx/cost_benefit.json"))
    args = parser.parse_args()
    Path(args.out).write_text(json.dumps(extract(args.git_dir), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
