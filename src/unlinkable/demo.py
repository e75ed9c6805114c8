"""``./run``: the main job on the bundled synthetic census data, then on synthetic shop baskets
and synthetic location traces.

Writes the census table, its hierarchies and a job file into ``out/`` (or the folder given),
assesses the raw table, anonymizes it with the job's privacy models; then does the same for
5,000 seeded synthetic baskets (set-valued data: k^m-anonymity) and for 500 seeded synthetic
users' stay points (location traces: skmob's attacks, unicity, trajectory k-anonymity); and
prints every file it wrote. All of it is produced in a hidden scratch folder inside the target folder and renamed
into place at the end, together: an error, Ctrl-C or SIGTERM leaves the folder as it was.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

# What each file of the run is, in the order they are listed.
_FILES = {
    "census.csv": "synthetic census table (raw: not for release)",
    "census_job.yaml": "job file",
    "census_risk.json": "risk figures of the raw table",
    "census_risk_report.html": "risk report of the raw table",
    "census_anonymized.csv": "anonymized table",
    "census_anonymized.json": "anonymization result",
    "census_report.html": "anonymization report",
    "baskets.txt": "synthetic shop baskets (raw: not for release)",
    "baskets_job.yaml": "job file of the baskets",
    "baskets_risk.json": "risk figures of the raw baskets",
    "baskets_risk_report.html": "risk report of the raw baskets",
    "baskets_released.txt": "k^m-anonymous baskets",
    "baskets_released.json": "anonymization result of the baskets",
    "baskets_report.html": "anonymization report of the baskets",
    "traces.csv": "synthetic location traces (raw: not for release)",
    "traces_job.yaml": "job file of the traces",
    "traces_risk.json": "risk figures of the raw traces",
    "traces_risk_report.html": "risk report of the raw traces",
    "traces_released.csv": "trajectory-k-anonymous points",
    "traces_released.json": "anonymization result of the traces",
    "traces_report.html": "anonymization report of the traces",
}


def main(argv: Sequence[str] | None = None) -> int:
    from unlinkable.cli import Parser, run_guarded

    parser = Parser(prog="./run", description="anonymize the bundled synthetic census data")
    parser.add_argument("--out", default="out", help="folder for the data, job file, outputs and reports (default: out)")
    parser.add_argument("--records", type=int, default=10_000, help="synthetic records to draw (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the synthetic data (default 0)")
    args = parser.parse_args(argv)
    return run_guarded(lambda: _run(Path(args.out), records=args.records, seed=args.seed))


def _run(folder: Path, *, records: int, seed: int) -> int:
    from unlinkable.cli import main as cli_main
    from unlinkable.data.outputs import OutputSet
    from unlinkable.datasets import write_census_job
    from unlinkable.errors import ConfigError, OutputError
    from unlinkable.points.synthetic import write_basket_job
    from unlinkable.traces.synthetic import write_traces_job

    if records < 1:
        raise ConfigError(f"--records must be at least 1, got {records}", hint="e.g. ./run --records 2000")
    if seed < 0:
        raise ConfigError(f"--seed must be 0 or more, got {seed}", hint="e.g. ./run --seed 7")
    if not str(folder).strip() or str(folder) == ".":
        raise ConfigError("--out must name a folder of its own for the demo's files", hint="e.g. ./run --out demo")
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file, not a folder", hint="give --out a folder (it is created if missing)")
    with _folder_kept_only_if_written(folder), OutputSet() as outputs:
        work = outputs.stage_folder(folder)
        with _inside(work):
            job = write_census_job(".", n=records, seed=seed)
            code = cli_main(["assess", job.name, "--json", "census_risk.json", "--report", "census_risk_report.html"])
            if code == 0:
                code = cli_main(["anonymize", job.name, "--json", "census_anonymized.json"])
            if code == 0:  # the second form of data: set-valued (shop baskets), a few seconds
                baskets = write_basket_job(".", seed=seed)
                code = cli_main(["assess", baskets.name, "--json", "baskets_risk.json", "--report", "baskets_risk_report.html"])
            if code == 0:
                code = cli_main(["anonymize", baskets.name, "--json", "baskets_released.json"])
            if code == 0:  # the third: location traces (stay points per user), a few seconds
                traces = write_traces_job(".", n_users=500, points=20, seed=seed, stem="traces")
                code = cli_main(["assess", traces.name, "--json", "traces_risk.json", "--report", "traces_risk_report.html"])
            if code == 0:
                code = cli_main(["anonymize", traces.name, "--json", "traces_released.json"])
        if code != 0:
            return code
        names = sorted(os.listdir(work), key=lambda name: (list(_FILES).index(name) if name in _FILES else len(_FILES), name))
        for name in names:
            outputs.adopt(folder / name, work / name)
        written = outputs.commit()
    print()
    print(f"wrote {len(written)} files into {folder}/ (synthetic census: {records:,} records, seed {seed}):")
    for path in written:
        print(f"  {path}  {_FILES.get(path.name, 'hierarchy' if 'hierarchy' in path.name else '')}".rstrip())
    print(f"\nopen {(folder / 'census_report.html').resolve()} to read the anonymization report.")
    return 0


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    """Run the commands from the scratch folder, so that their figures name ``census.csv``, not it."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


@contextlib.contextmanager
def _folder_kept_only_if_written(folder: Path) -> Iterator[None]:
    """Create ``folder`` if missing; remove it again if the run leaves it empty."""
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        yield
    finally:
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only succeeds when empty


if __name__ == "__main__":
    sys.exit(main())
