"""Whole `unlinkable anonymize` and `unlinkable assess` processes on adult stacked N times (run by hand).

    .venv/bin/python benchmarks/whole_process.py [--stack 1 100] [--repeat 1] [--profile] [--phases] [--overwrite]
        [--arx ARX_REPOSITORY]

For each stacking factor (1 = adult, 30,162 rows; 100 = 3,016,200; 1000 = 30,162,000) it writes
the stacked CSV and two job files into a temporary folder, then runs, each as a fresh process:

- ``unlinkable anonymize`` with issue 10's job: k-anonymity k=500, 5% suppression, Loss, the 9
  quasi-identifiers of adult with ARX's hierarchies, output table + JSON + HTML report;
- ``unlinkable assess`` on the same rows with 8 quasi-identifiers (adult ``qi8``: all but
  occupation), JSON out.

Each process is measured from outside with ``os.wait4`` (wall seconds, user + system CPU seconds,
peak resident memory of that child alone). ARX's figures for the anonymize job (7.0 s and
1.7 GiB for the whole JVM process on 3,016,200 rows) are the ones issue 10 states; they are not in
``../shared/reference``. With ``--profile`` the anonymize process also runs once under cProfile
and the 25 most expensive functions (cumulative) are printed. With ``--phases`` it also runs once
with a sampler: per phase of the command (read, encode, search, risk, verify, write), the CPU
seconds it took and the highest resident memory sampled during it (every 10 ms), which tells
where the peak RSS is reached.

With ``--arx`` (a work tree or git folder of ARX's repository, e.g. the one the tool library's
``fetch github:arx-deidentifier/arx`` brings; needs ``javac``) ARX is compiled from it and the same
job runs in ARX as one JVM process (``benchmarks/arx/Whole.java``: read, anonymize, write the CSV)
before each of our runs, measured the same way: the two are compared under the same conditions,
pair by pair, and their released CSV files must be byte-identical.

Each anonymize run writes into an empty output folder (the outputs of the run before are
removed first, outside the measurement), as a first run of a job does. With ``--overwrite`` they
are left in place, so each run also replaces the three outputs of the run before: the commit then
deletes the earlier 255 MB CSV, about 0.05-0.1 s more.

The package's modules are compiled first (``compileall``), as ``scripts/ensure-env`` does and as a
regular install has them: with ``PYTHONDONTWRITEBYTECODE`` set, an editable install would otherwise
compile every module at every start.

The machine is shared: wall time moves with the load (printed with every figure); CPU seconds
move much less, so both are shown.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADULT = ROOT.parent / "shared" / "data" / "arx" / "adult"
QI9 = ["sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation", "salary-class"]
QI8 = [q for q in QI9 if q != "occupation"]
ARX_WALL_S, ARX_RSS_GIB = 7.0, 1.7  # issue 10: ARX 3.9.2, whole process, adult x100, the job below


def write_inputs(folder: Path, factor: int) -> tuple[Path, Path]:
    lines = (ADULT / "adult.csv").read_text().splitlines(keepends=True)
    body = "".join(lines[1:])
    data = folder / "adult_stacked.csv"
    with open(data, "w") as fh:
        fh.write(lines[0])
        for _ in range(factor):
            fh.write(body)
    attrs = "\n".join(f"  {q}: {{role: quasi-identifier, hierarchy: {ADULT / f'adult_hierarchy_{q}.csv'}}}" for q in QI9)
    anonymize = folder / "anonymize.yaml"
    anonymize.write_text(f"input: {{path: {data.name}, delimiter: ';'}}\nattributes:\n{attrs}\n"
                         "privacy:\n  - k-anonymity: {k: 500}\nsuppression_limit: 0.05\nmetric: loss\n"
                         "output: {path: out/anonymized.csv, report: out/report.html}\n")
    attrs8 = "\n".join(f"  {q}: {{role: quasi-identifier}}" for q in QI8) + "\n  occupation: {role: insensitive}"
    assess = folder / "assess.yaml"
    assess.write_text(f"input: {{path: {data.name}, delimiter: ';'}}\nattributes:\n{attrs8}\n")
    (folder / "out").mkdir(exist_ok=True)
    return anonymize, assess


def run(argv: list[str], cwd: Path) -> dict[str, float]:
    """Wall, CPU and peak RSS of one child process (os.wait4: that child's own usage).

    The page cache is flushed first (``sync``, outside the measurement): each process starts with
    no write-back of the one before pending (ARX's or our 255 MB CSV), which would otherwise be
    flushed during it and charged to it."""
    os.sync()
    started = time.perf_counter()
    child = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    err = child.stderr.read().decode(errors="replace") if child.stderr else ""
    if status != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({status}): {err[-800:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_gib": usage.ru_maxrss / 2**20}


_PHASES = """
import resource, sys, threading, time
import unlinkable.progress as progress
from unlinkable.cli import main

def rss():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) / 2**20

state, rows = {"phase": "start-up", "peak": 0.0}, []
def sample():
    while True:
        state["peak"] = max(state["peak"], rss())
        time.sleep(0.01)
def switch(name):
    rows.append((state["phase"], time.process_time(), state["peak"]))
    state["phase"], state["peak"] = name, rss()
threading.Thread(target=sample, daemon=True).start()
begin = progress.Progress.begin
def logged(self, phase, *args, **kwargs):
    switch(phase)
    return begin(self, phase, *args, **kwargs)
progress.Progress.begin = logged
code = main(sys.argv[1:])
switch("end")
before = 0.0
for name, cpu, peak in rows:
    print(f"  {name:10s} cpu {cpu - before:5.2f} s  peak RSS {peak:5.2f} GiB", file=sys.stderr)
    before = cpu
sys.exit(code)
"""


def phases(argv: list[str], cwd: Path) -> str:
    """CPU seconds and the highest sampled RSS of each phase of one command (run in a child)."""
    child = subprocess.run([sys.executable, "-c", _PHASES, *argv], cwd=cwd, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, check=True)
    return child.stderr


#: stand-ins for what a snapshot of ARX's repository may lack (its largest jars: pdfbox, hadoop), so
#: that ARX's sources compile; the benchmark makes no PDF certificate and reads no Hadoop data
_ARX_STUBS = {
    "org/apache/pdfbox/pdmodel/PDDocument.java":
        "package org.apache.pdfbox.pdmodel;\npublic class PDDocument implements java.io.Closeable {\n"
        "    public static PDDocument load(java.io.File file) { return null; }\n"
        "    public void save(java.io.OutputStream out) { }\n    public void close() { }\n}\n",
    "org/apache/pdfbox/pdmodel/font/PDFont.java": "package org.apache.pdfbox.pdmodel.font;\npublic class PDFont { }\n",
    "org/apache/hadoop/io/Writable.java":
        "package org.apache.hadoop.io;\npublic interface Writable {\n"
        "    void write(java.io.DataOutput out) throws java.io.IOException;\n"
        "    void readFields(java.io.DataInput in) throws java.io.IOException;\n}\n",
    "org/deidentifier/arx/certificate/resources/Watermark.java":  # in place of ARX's own (pdfbox's multipdf)
        "package org.deidentifier.arx.certificate.resources;\npublic class Watermark {\n"
        "    public Watermark(org.apache.pdfbox.pdmodel.PDDocument document) { }\n"
        "    public void mark(org.apache.pdfbox.pdmodel.PDDocument document) { }\n}\n",
}


def build_arx(repository: Path, into: Path) -> str:
    """Compile ARX (its ``src/main`` with the jars of its ``lib/ant``) and ``benchmarks/arx/Whole.java``
    into ``into``; the classpath to run ``Whole`` with. ``repository`` is a work tree or a git folder
    (a bare clone, or what the tool library's ``fetch`` brings), read with ``git archive``."""
    tree = into / "arx"
    tree.mkdir(parents=True)
    if (repository / "src" / "main").is_dir():
        shutil.copytree(repository / "src" / "main", tree / "src" / "main")
        shutil.copytree(repository / "lib" / "ant", tree / "lib" / "ant")
    else:
        git = ["git", "--git-dir", str(repository)]
        archive = subprocess.run([*git, "archive", "HEAD", "src/main"], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        # jar by jar: a snapshot may list its largest files without holding them (none ARX's core needs)
        listing = subprocess.run([*git, "ls-tree", "-r", "HEAD", "lib/ant"], check=True, capture_output=True, text=True)
        for line in listing.stdout.splitlines():
            meta, path = line.split("\t", 1)
            blob = subprocess.run([*git, "cat-file", "blob", meta.split()[2]], capture_output=True)
            if path.endswith(".jar") and blob.returncode == 0:
                (tree / path).parent.mkdir(parents=True, exist_ok=True)
                (tree / path).write_bytes(blob.stdout)
    jars = ":".join(str(p) for p in sorted((tree / "lib" / "ant").rglob("*.jar")))
    classes = into / "classes"
    sources = into / "sources.txt"
    stubs = into / "stubs"
    for name, text in _ARX_STUBS.items():
        (stubs / name).parent.mkdir(parents=True, exist_ok=True)
        (stubs / name).write_text(text)
    listed = [p for p in sorted((tree / "src" / "main").rglob("*.java")) if p.name != "Watermark.java"]
    sources.write_text("\n".join(str(p) for p in [*listed, *sorted(stubs.rglob("*.java"))]) + "\n")
    subprocess.run(["javac", "-nowarn", "-encoding", "UTF-8", "-cp", jars, "-d", str(classes), f"@{sources}"],
                   check=True, capture_output=True)
    classpath = f"{classes}:{jars}"
    subprocess.run(["javac", "-cp", classpath, "-d", str(classes), str(ROOT / "benchmarks" / "arx" / "Whole.java")],
                   check=True, capture_output=True)
    return classpath


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stack", type=int, nargs="*", default=[1, 100])
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--phases", action="store_true")
    ap.add_argument("--overwrite", action="store_true", help="leave the previous run's outputs in place")
    ap.add_argument("--arx", type=Path, help="an ARX repository: build it and run its whole process beside ours")
    args = ap.parse_args()
    # as a user's installation has them (pip compiles a regular install; see scripts/ensure-env)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "unlinkable")], check=True, stdout=subprocess.DEVNULL)
    exe = str(Path(sys.executable).with_name("unlinkable"))
    for factor in args.stack:
        with tempfile.TemporaryDirectory(prefix="unlinkable-bench-") as tmp:
            folder = Path(tmp)
            anonymize, assess = write_inputs(folder, factor)
            rows = 30162 * factor
            walls: dict[str, list[float]] = {"anonymize": [], "assess": [], "ARX": []}
            arx = build_arx(args.arx, folder / "arx-build") if args.arx else None
            for _ in range(args.repeat):
                if arx is not None:
                    # ARX first, into an empty output as ours (or over its own last output with --overwrite)
                    if not args.overwrite:
                        (folder / "arx.csv").unlink(missing_ok=True)
                    x = run(["java", "-cp", arx, "Whole", str(ADULT),
                             str(folder / "adult_stacked.csv"), str(folder / "arx.csv")], folder)
                    walls["ARX"].append(x["wall"])
                    print(f"adult x{factor} ({rows:,} rows) ARX whole process: wall {x['wall']:.2f} s, cpu {x['cpu']:.2f} s, "
                          f"peak RSS {x['rss_gib']:.2f} GiB  ({load()})", flush=True)
                if not args.overwrite:
                    for old in (folder / "out").iterdir():
                        old.unlink()
                a = run([exe, "anonymize", str(anonymize), "--json", "out/result.json"], folder)
                print(f"adult x{factor} ({rows:,} rows) anonymize: wall {a['wall']:.2f} s, cpu {a['cpu']:.2f} s, "
                      f"peak RSS {a['rss_gib']:.2f} GiB  ({load()}); vs ARX {ARX_WALL_S} s / {ARX_RSS_GIB} GiB: "
                      f"wall {a['wall'] / ARX_WALL_S:.2f}x, cpu {a['cpu'] / ARX_WALL_S:.2f}x, "
                      f"RSS {a['rss_gib'] / ARX_RSS_GIB:.2f}x", flush=True)
                walls["anonymize"].append(a["wall"])
                if arx is not None:
                    same = (folder / "arx.csv").read_bytes() == (folder / "out" / "anonymized.csv").read_bytes()
                    print(f"  ours / ARX of this pair: wall {a['wall'] / x['wall']:.2f}x, cpu {a['cpu'] / x['cpu']:.2f}x, "
                          f"RSS {a['rss_gib'] / x['rss_gib']:.2f}x; the two CSV files are "
                          f"{'byte-identical' if same else 'DIFFERENT'}", flush=True)
                s = run([exe, "assess", str(assess), "--json", "out/risk.json"], folder)
                walls["assess"].append(s["wall"])
                print(f"adult x{factor} ({rows:,} rows) assess (8 QIs): wall {s['wall']:.2f} s, cpu {s['cpu']:.2f} s, "
                      f"peak RSS {s['rss_gib']:.2f} GiB  ({load()})", flush=True)
            if walls["ARX"]:
                print(f"adult x{factor}: median wall ours {statistics.median(walls['anonymize']):.2f} s, ARX "
                      f"{statistics.median(walls['ARX']):.2f} s (interleaved): "
                      f"{statistics.median(walls['anonymize']) / statistics.median(walls['ARX']):.2f}x", flush=True)
            if args.repeat > 1:
                for command, times in walls.items():
                    if not times:
                        continue
                    print(f"adult x{factor} {command}: median wall {statistics.median(times):.2f} s over {len(times)} runs "
                          f"(min {min(times):.2f}, max {max(times):.2f})"
                          + (f"; median vs issue 10's ARX figure (7.0 s) {statistics.median(times) / ARX_WALL_S:.2f}x"
                             if command == "anonymize" else ""),
                          flush=True)
            if args.phases:
                print(f"adult x{factor} anonymize by phase ({load()}):", flush=True)
                print(phases(["anonymize", str(anonymize), "--json", "out/result.json"], folder), end="", flush=True)
            if args.profile:
                prof = folder / "anonymize.prof"
                run([sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "unlinkable", "anonymize", str(anonymize),
                     "--json", "out/result.json"], folder)
                import pstats

                pstats.Stats(str(prof)).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
