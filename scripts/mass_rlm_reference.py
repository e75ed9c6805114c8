#!/usr/bin/env python3
"""Run MASS's ``rlm(method = "MM")`` and sdcMicro's shuffle (method "mlm") in R, and store what they return.

``tests/reference/mass_rlm.json`` holds R's own numbers, never unlinkable's:

* ``rlm``: for each table (drawn in R after ``set.seed``, or R's ``stackloss``), the S-estimate start
  as MASS's ``lqs(x, y, intercept = FALSE, method = "S", k0 = 1.548)`` returns it (the best subset,
  its exact-fit coefficients, the refined coefficients and the scale) and the MM fit of ``rlm``
  (coefficients, scale, the convergence criterion of each iteration, fitted values, residuals and
  final weights). Each call runs at ``set.seed(seed)``, so where ``lqs`` samples subsets (more than
  5000 possible) a test replays R's stream with ``tests/peers/sdcmicro/r_random.py``; where it tries
  every subset no random number is drawn.
* ``mlm``: the shuffled responses of sdcMicro's ``shuffleWORK(method = "mlm")`` (deterministic: the
  records are ordered by the fitted values of a multivariate linear model), with the function's
  text taken from the sdcMicro mirror (sdcMicro itself is not installable here). As written,
  sdcMicro's call ``predict(LMres, predictors)`` fails in R >= 4 ("'data' must be a data.frame, not
  a matrix or an array"); the one change made here is ``predict(LMres)``, the fitted values that the
  call asks for (its newdata are the model's own predictors).

Needs R with MASS and robustbase; never run by ``./test``.
Usage: ``python scripts/mass_rlm_reference.py [path to sdcMicro's git dir]``
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "reference" / "mass_rlm.json"
SDCMICRO = Path("/work/.mirror/sdcTools+sdcMicro/repo")

R_SCRIPT = r"""
suppressMessages({library(MASS); library(robustbase)})
js <- function(v) {
  if (is.null(v)) return("null")
  if (is.list(v)) return(paste0("{", paste(sprintf('"%s": %s', names(v), sapply(v, js)), collapse = ", "), "}"))
  if (is.character(v) && length(v) == 1) return(sprintf('"%s"', v))
  if (is.character(v)) return(paste0("[", paste(sprintf('"%s"', v), collapse = ", "), "]"))
  if (is.logical(v) && length(v) == 1) return(if (v) "true" else "false")
  if (is.matrix(v)) return(paste0("[", paste(apply(v, 1, function(r) js(as.numeric(r))), collapse = ", "), "]"))
  paste0("[", paste(sprintf("%.17g", as.numeric(v)), collapse = ", "), "]")
}
fit <- function(name, x, y, seed) {
  x <- unname(as.matrix(x)); xi <- cbind(1, x)
  set.seed(seed)
  l <- lqs(xi, y, intercept = FALSE, method = "S", k0 = 1.548)
  set.seed(seed)
  r <- rlm(y ~ x, method = "MM")
  list(name = name, seed = seed, sampled = choose(nrow(xi), ncol(xi)) >= 5000, x = x, y = y,
       lqs = list(best = sort(l$bestone) - 1L, coefficients = unname(l$coefficients),
                  refined = unname(l$coefficents), scale = l$scale),
       rlm = list(coefficients = unname(r$coefficients), scale = r$s, conv = r$conv, converged = r$converged,
                  fitted = unname(r$fitted.values), residuals = unname(r$residuals), weights = unname(r$w)))
}
out <- list()
set.seed(3); s <- array(rlnorm(200), dim = c(100, 2)); for (i in 1:5) s <- cbind(s, rlnorm(100))
out[[1]] <- fit("sdcMicro shuffle data: Var1 ~ Var3 + Var4 (100 records, 1500 sampled subsets)", s[, 3:4], s[, 1], 123)
out[[2]] <- fit("sdcMicro shuffle data: Var2 ~ Var3 + Var4", s[, 3:4], s[, 2], 123)
out[[3]] <- fit("stackloss (21 records, 3 predictors, 2000 sampled subsets)", as.matrix(stackloss[, 1:3]), stackloss[, 4], 1)
set.seed(5); x <- matrix(rnorm(60), 30); y <- 2 + x %*% c(1, -0.5) + rnorm(30, 0, 0.3); y[1:4] <- y[1:4] + 8
out[[4]] <- fit("30 records, 2 predictors, 4 shifted responses (every subset tried)", x, drop(y), 5)
set.seed(6); x <- matrix(runif(60, 0, 10), 60); y <- 1 + 0.7 * x + rnorm(60); y[1:12] <- y[1:12] - 15
out[[5]] <- fit("60 records, 1 predictor, 12 shifted responses (every subset tried)", x, drop(y), 6)
set.seed(7); x <- matrix(rnorm(600), 200); y <- x %*% c(1, 2, -1) + rnorm(200)
x[1:20, 1] <- x[1:20, 1] + 10; y[1:20] <- y[1:20] - 20
out[[6]] <- fit("200 records, 3 predictors, 20 leverage outliers (2000 sampled subsets)", x, drop(y), 7)

# sdcMicro's shuffle, method "mlm", run by its own shuffleWORK (text read from the mirror below)
SHUFFLE_WORK
mlm <- list()
sample_Data <- as.data.frame(s); colnames(sample_Data) <- c("Var1", "Var2", "Var3", "Var4", "Var5", "Var6", "weight")
r <- shuffleWORK(sample_Data, form = Var1 + Var2 ~ Var3 + Var4, method = "mlm", gadp = FALSE)
mlm[[1]] <- list(name = "sdcMicro shuffle data", columns = as.list(sample_Data[, 1:4]), responses = c("Var1", "Var2"),
                 predictors = c("Var3", "Var4"), shuffled = r$shuffled)
set.seed(11); d <- data.frame(a = rlnorm(50), b = rlnorm(50), c = as.numeric(sample(1:4, 50, TRUE)), e = rnorm(50), f = rnorm(50))
r <- shuffleWORK(d, form = a + b + e ~ c + f, method = "mlm", gadp = FALSE)
mlm[[2]] <- list(name = "50 records, 3 responses, a 4-valued predictor", columns = as.list(d), responses = c("a", "b", "e"),
                 predictors = c("c", "f"), shuffled = r$shuffled)
cat(sprintf('{"R": "%s", "MASS": "%s", "rlm": [%s], "mlm": [%s]}', R.version.string,
            as.character(packageVersion("MASS")), paste(sapply(out, js), collapse = ",\n"),
            paste(sapply(mlm, js), collapse = ",\n")))
"""


def shuffle_work(repo: Path) -> str:
    """sdcMicro's internal ``shuffleWORK`` function, as its R/shuffle.R defines it."""
    text = subprocess.run(["git", "--git-dir", str(repo), "show", "HEAD:R/shuffle.R"], check=True,
                          capture_output=True, text=True).stdout
    found = re.search(r"^shuffleWORK <- function.*", text, re.S | re.M)
    if found is None or text.count(_BROKEN) != 1:
        raise SystemExit("sdcMicro's R/shuffle.R changed: no shuffleWORK, or not one predict(LMres, predictors)")
    return found.group(0).replace(_BROKEN, _FITTED)


#: sdcMicro's mlm prediction, which R >= 4 refuses (a matrix as newdata), and what it means
_BROKEN, _FITTED = "stats::predict(LMres, predictors)", "stats::predict(LMres)"


def main() -> None:
    repo = Path(sys.argv[1]) if len(sys.argv) > 1 else SDCMICRO
    with tempfile.TemporaryDirectory() as work:
        script = Path(work) / "rlm.R"
        script.write_text(R_SCRIPT.replace("SHUFFLE_WORK", shuffle_work(repo)))
        printed = subprocess.run(["Rscript", str(script)], check=True, capture_output=True, text=True).stdout
    found = json.loads(printed)
    found["produced_by"] = "scripts/mass_rlm_reference.py"
    OUT.write_text(json.dumps(found, indent=1) + "\n")
    print(f"wrote {OUT} ({len(found['rlm'])} rlm tables, {len(found['mlm'])} mlm shuffles, MASS {found['MASS']})")


if __name__ == "__main__":
    main()
