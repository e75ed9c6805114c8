#!/usr/bin/env python3
"""Print robustbase's simulated small-sample MCD correction factors as Python literals.

robustbase's ``covMcd`` corrects the raw and the reweighted MCD covariance by factors fitted by
simulation (Pison, Van Aelst and Willems 2002); for alpha = 1/2, p <= 9 and n in a short range
per p it uses simulated values instead (``MCDcnp2s`` in ``R/covMcd.R``: matrices ``m.0`` and
``m.rew``, filled by column, one column per p, one row per n from ``n.min[p]``). Those numbers
are facts measured by robustbase's authors; this script reads them from the robustbase sources
and prints the entries robustbase uses, as the two dicts ``SIMULATED_RAW`` and
``SIMULATED_REWEIGHTED`` of ``unlinkable.sdc.robust_covariance`` ({(p, n): factor}).

Usage: ``python scripts/extract_mcd_tables.py [--repo /work/.mirror/cran+robustbase/repo]``
(the bare git directory that ``fetch`` of ``github:cran/robustbase`` gives). A test compares the
module's tables with this script's output when the mirror is present.
"""

from __future__ import annotations

import argparse
import re
import subprocess

DEFAULT_REPO = "/work/.mirror/cran+robustbase/repo"


def _vector(source: str, name: str) -> list[float]:
    match = re.search(rf"{re.escape(name)}\s*<-\s*(?:as\.integer\(\s*)?(?:#[^\n]*\n\s*)*(?:matrix\(\s*)?c\(([^)]*)\)", source)
    if match is None:
        raise SystemExit(f"cannot find {name} in covMcd.R")
    body = re.sub(r"#[^\n]*", "", match.group(1))
    return [float(v) for v in body.replace("\n", " ").split(",") if v.strip()]


def tables(repo: str = DEFAULT_REPO) -> dict[str, dict[tuple[int, int], float]]:
    """{"raw": {(p, n): factor}, "reweighted": {...}} exactly as robustbase's MCDcnp2s looks them up."""
    source = subprocess.run(["git", f"--git-dir={repo}", "show", "HEAD:R/covMcd.R"], check=True,
                            capture_output=True, text=True).stdout
    block = source[source.index("MCDcnp2s <- local({"):]
    p_max = int(re.search(r"p\.max\s*<-\s*(\d+)L", block).group(1))  # type: ignore[union-attr]
    ncol = int(re.search(r"ncol\s*<-\s*(\d+)L", block).group(1))  # type: ignore[union-attr]
    n_min = [int(v) for v in _vector(block, "n.min")]
    n_max = [int(v) for v in _vector(block, "n.max")]
    out: dict[str, dict[tuple[int, int], float]] = {}
    for key, name in (("raw", "m.0"), ("reweighted", "m.rew")):
        values = _vector(block, name)
        nrow = len(values) // ncol
        table = {}
        for p in range(1, p_max + 1):
            for n in range(n_min[p - 1], n_max[p - 1] + 1):
                table[(p, n)] = values[(p - 1) * nrow + (n - n_min[p - 1])]  # column-major, as R fills it
        out[key] = table
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=DEFAULT_REPO)
    found = tables(parser.parse_args().repo)
    for key, name in (("raw", "SIMULATED_RAW"), ("reweighted", "SIMULATED_REWEIGHTED")):
        items = ", ".join(f"({p}, {n}): {v!r}" for (p, n), v in found[key].items())
        print(f"{name}: dict[tuple[int, int], float] = {{{items}}}")


if __name__ == "__main__":
    main()
