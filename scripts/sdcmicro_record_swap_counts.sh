#!/usr/bin/env bash
# Run sdcMicro's own recordSwap (its C++ code through Rcpp, with R/recordSwap.R and R/createDat.R from the
# mirrored repository; sdcMicro itself need not be installed) on createDat(10000) after set.seed(2021), and print
# the number of swapped households for the configurations of test_recordSwap_outputs.R. Beside them, the same
# counts from unlinkable's record_swap. Needs R with Rcpp and data.table. Usage: scripts/sdcmicro_record_swap_counts.sh [REPO]
set -euo pipefail
cd "$(dirname "$0")/.."
repo="${1:-/work/.mirror/sdcTools+sdcMicro/repo}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/recordSwap"
git --git-dir="$repo" show HEAD:src/recordSwap/recordSwap.h > "$work/recordSwap/recordSwap.h"
# renamed so that sourceCpp does not compile it a second time beside the file that includes it
git --git-dir="$repo" show HEAD:src/recordSwap/recordSwap.cpp > "$work/recordSwap/recordSwap.inc"
git --git-dir="$repo" show HEAD:src/recordSwap_R.cpp | sed 's#recordSwap/recordSwap.cpp#recordSwap/recordSwap.inc#' > "$work/recordSwap_R.cpp"
git --git-dir="$repo" show HEAD:R/recordSwap.R > "$work/recordSwap.R"
git --git-dir="$repo" show HEAD:R/createDat.R > "$work/createDat.R"
cat > "$work/run.R" <<'R'
suppressMessages(library(data.table))
Rcpp::sourceCpp("recordSwap_R.cpp")
source("createDat.R"); source("recordSwap.R")
set.seed(2021); dat <- createDat(10000)
count <- function(...) {
  s <- suppressMessages(recordSwap.default(data = dat, hid = "hid", similar = list("hsize"), return_swapped_id = TRUE,
                                           seed = 2021, log_file_name = tempfile(), ...))
  s[hid != hid_swapped, uniqueN(hid)]
}
for (rate in c(.05, .1, .25)) cat("rate", rate, "k 1:", count(hierarchy = c("nuts1", "nuts2", "nuts3"), swaprate = rate,
                                                                k_anonymity = 1, risk_variables = c("ageGroup", "national")), "\n")
for (k in 2:3) cat("rate 0.05 k", k, ":", count(hierarchy = c("nuts1", "nuts2"), swaprate = .05, k_anonymity = k,
                                                risk_variables = c("ageGroup", "national", "hsize")), "\n")
R
echo "sdcMicro (C++ through Rcpp):"
(cd "$work" && Rscript run.R)
echo "unlinkable:"
.venv/bin/python - <<'PY'
import sys
sys.path.insert(0, "tests/peers/sdcmicro")
from create_dat import create_dat
from r_random import RRandom
from unlinkable.sdc.record_swap import record_swap
dat = create_dat(10000, RRandom(2021))
def count(**kw):
    return record_swap(dat, household="hid", similar=["hsize"], seed=2021, **kw).swapped_households
for rate in (0.05, 0.1, 0.25):
    print("rate", rate, "k 1:", count(hierarchy=["nuts1", "nuts2", "nuts3"], swaprate=rate, k_anonymity=1, risk_variables=["ageGroup", "national"]))
for k in (2, 3):
    print("rate 0.05 k", k, ":", count(hierarchy=["nuts1", "nuts2"], swaprate=0.05, k_anonymity=k, risk_variables=["ageGroup", "national", "hsize"]))
PY
