#!/usr/bin/env python3
"""Run robustbase's ``covMcd`` on small tables and store what it returns.

The tables are drawn in R after ``set.seed`` (the data of sdcMicro's addNoise "outdect" and shuffle
"mvn" tests among them), and ``covMcd(x)`` runs with R's stream at ``set.seed(seed)``, so the
random trial subsets it draws (n above robustbase's exhaustive limit) come from that stream: a test
replays it with ``tests/peers/sdcmicro/r_random.py``. The output,
``tests/reference/robustbase_mcd.json``, holds robustbase's own numbers (center, covariance, raw
center and covariance, best subset, log-determinant, weights), never unlinkable's, and the output of
sdcMicro's ``addNoise(method = "outdect")`` rule on its test data (restated in R below, as sdcMicro
itself is not installable here), which uses both covMcd and R's ``rnorm``.

robustbase before 0.99-0 scaled the reweighted covariance by ``.MCDcons(p, kept/n)``; 0.99-0 and
later by ``.MCDcons(p, 0.975)``. With an older robustbase installed (Debian's 0.95) the script
rescales the reweighted covariance to the current rule, in R, and recomputes the final weights
from it; the JSON names the version and says whether it did.

Needs R with robustbase (``apt-get install -y r-cran-robustbase``); never run by ``./test``.
Usage: ``python scripts/robustbase_mcd_reference.py``
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "reference" / "robustbase_mcd.json"

R_SCRIPT = r"""
library(robustbase)
js <- function(v) {
  if (is.null(v)) return("null")
  if (is.list(v)) return(paste0("{", paste(sprintf('"%s": %s', names(v), sapply(v, js)), collapse = ", "), "}"))
  if (is.character(v)) return(sprintf('"%s"', v))
  if (is.logical(v) && length(v) == 1) return(if (v) "true" else "false")
  if (is.matrix(v)) return(paste0("[", paste(apply(v, 1, function(r) js(as.numeric(r))), collapse = ", "), "]"))
  paste0("[", paste(sprintf("%.17g", as.numeric(v)), collapse = ", "), "]")
}
old <- packageVersion("robustbase") < "0.99"
fit <- function(name, x, seed) {
  x <- unname(as.matrix(x)); n <- nrow(x); p <- ncol(x)
  set.seed(seed)
  m <- covMcd(x)
  raw <- as.numeric(mahalanobis(x, m$raw.center, m$raw.cov) < qchisq(0.975, p))
  cov <- m$cov; wt <- m$mcd.wt
  if (old && sum(raw) != n) {
    cov <- cov / robustbase:::.MCDcons(p, sum(raw) / n) * robustbase:::.MCDcons(p, 0.975)
    wt <- as.numeric(mahalanobis(x, m$center, cov) < qchisq(0.975, p))
  }
  list(name = name, seed = seed, x = x, center = unname(m$center), cov = unname(cov),
       raw_center = unname(m$raw.center), raw_cov = unname(m$raw.cov),
       best = if (is.null(m$best)) NULL else m$best - 1L, crit = m$crit, raw_weights = raw, weights = unname(wt))
}
out <- list()
set.seed(3); d <- array(runif(30, 1, 100), dim = c(10, 3))
out[[1]] <- fit("addNoise outdect data (10 x 3, every subset tried)", d, 3)
set.seed(3); d <- runif(30, 1, 100); set.seed(3); d[ceiling(runif(4, 1, length(d)))] <- NA
d <- na.omit(array(d, dim = c(10, 3)))
out[[2]] <- fit("addNoise outdect data with NAs, complete rows", d, 3)
set.seed(3); s <- array(rlnorm(200), dim = c(100, 2)); for (i in 1:5) s <- cbind(s, rlnorm(100))
out[[3]] <- fit("shuffle mvn data Var1..Var4 (100 x 4, 500 random subsets)", s[, 1:4], 123)
set.seed(1); y <- matrix(rnorm(120), 60); y[1:8, ] <- y[1:8, ] + 6
out[[4]] <- fit("two columns, 8 of 60 shifted", y, 7)
set.seed(2); u <- matrix(rnorm(25), 25); u[1:3] <- u[1:3] + 8
out[[5]] <- fit("one column, 3 of 25 shifted (univariate MCD)", u, 1)
set.seed(4); w <- matrix(rnorm(100), 20); w[1:3, ] <- w[1:3, ] * 10
out[[6]] <- fit("five columns, 20 records, 3 scaled (simulated small-sample factors)", w, 11)
set.seed(5); v <- matrix(rnorm(40 * 3), 40) %*% matrix(c(2, 1, 0, 0, 1, 1, 0, 0, 3), 3)
out[[7]] <- fit("three correlated columns, 40 records, no outlier", v, 9)
# sdcMicro's addNoise(method = "outdect") rule, restated: outliers are records above a column's 99%
# quantile or with robust distance (covMcd of the complete rows) above sqrt(qchisq(0.975, p)); each
# column draws rnorm(#outliers, 0, 1.96 sd / sqrt(n) * noise / 100) for them, column by column
outdect <- function(x, noise) {
  far <- sqrt(mahalanobis(x, (m <- covMcd(na.omit(x), alpha = 1/2))$center, m$cov)) > sqrt(qchisq(0.975, ncol(x)))
  above <- apply(x, 2, function(v) v > quantile(v, 0.99, na.rm = TRUE))
  rows <- sort(unique(c(which(above, arr.ind = TRUE)[, 1], which(far))))
  for (j in seq_len(ncol(x))) x[rows, j] <- x[rows, j] + rnorm(length(rows), 0, 1.96 * sd(x[, j], na.rm = TRUE) / sqrt(nrow(x)) * noise / 100)
  x
}
noisy <- list()
for (missing in c(FALSE, TRUE)) {
  set.seed(3); d <- runif(30, 1, 100)
  if (missing) { set.seed(3); d[ceiling(runif(4, 1, length(d)))] <- NA }
  d <- array(d, dim = c(10, 3))
  set.seed(3); a <- outdect(d, 150); b <- outdect(d, 20)
  noisy[[length(noisy) + 1]] <- list(name = if (missing) "with NAs" else "complete", seed = 3L, x = d,
                                     noise = c(150, 20), first = a, second = b)
}
nan <- function(s) gsub('"NA"|NA', "NaN", s)
cat(sprintf('{"robustbase": "%s", "rescaled_from_pre_0.99": %s, "cases": [%s], "outdect": [%s]}',
            as.character(packageVersion("robustbase")), js(old), paste(sapply(out, js), collapse = ",\n"),
            nan(paste(sapply(noisy, js), collapse = ",\n"))))
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        script = Path(work) / "mcd.R"
        script.write_text(R_SCRIPT)
        printed = subprocess.run(["Rscript", str(script)], check=True, capture_output=True, text=True).stdout
    # R's NA arrives as NaN (which Python's json reads); it is stored as null, strict JSON
    found = json.loads(json.dumps(json.loads(printed), allow_nan=True).replace("NaN", "null"))
    found["produced_by"] = "scripts/robustbase_mcd_reference.py"
    OUT.write_text(json.dumps(found, indent=1) + "\n")
    print(f"wrote {OUT} ({len(found['cases'])} cases, robustbase {found['robustbase']})")


if __name__ == "__main__":
    main()
