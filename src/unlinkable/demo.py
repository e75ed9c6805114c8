"""``./run``: the main job on the bundled synthetic census data.

Writes the census table, its hierarchies and a job file into ``out/`` (or the folder given),
assesses the raw table, anonymizes it with the job's privacy models, and prints where the
anonymized table and the reports are.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./run", description="anonymize the bundled synthetic census data")
    parser.add_argument("--out", default="out", help="folder for the data, job file, outputs and reports (default: out)")
    parser.add_argument("--records", type=int, default=10_000, help="synthetic records to draw (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the synthetic data (default 0)")
    args = parser.parse_args(argv)

    from unlinkable.cli import main as cli_main
    from unlinkable.datasets import write_census_job

    folder = Path(args.out)
    job = write_census_job(folder, n=args.records, seed=args.seed)
    print(f"synthetic census: {args.records:,} records (seed {args.seed}) -> {folder / 'census.csv'}")
    print(f"job file: {job}")

    code = cli_main(["assess", str(job), "--json", str(folder / "census_risk.json"), "--report", str(folder / "census_risk_report.html")])
    if code != 0:
        return code
    code = cli_main(["anonymize", str(job), "--json", str(folder / "census_anonymized.json")])
    if code != 0:
        return code
    print()
    print(f"risk report of the raw table:   {(folder / 'census_risk_report.html').resolve()}")
    print(f"anonymized table:               {(folder / 'census_anonymized.csv').resolve()}")
    print(f"anonymization report:           {(folder / 'census_report.html').resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
