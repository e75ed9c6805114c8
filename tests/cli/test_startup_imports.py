"""A table job's anonymize and assess runs import none of the heavy optional stacks.

numba (0.3 s, the trajectory kernels) and scipy (0.15 s, copula and SafePub) are start-up cost that a
table job never uses; an import of either through a shared module has crept in before.
"""

import subprocess
import sys

_SCRIPT = """
import sys
from unlinkable.cli import main
folder, out = sys.argv[1], sys.argv[2]
attrs = "\\n".join(f"  {q}: {{role: quasi-identifier, hierarchy: {folder}/test_hierarchy_{q}.csv}}"
                   for q in ("age", "gender", "zipcode"))
head = f"input: {{path: {folder}/test.csv, delimiter: ';'}}\\nattributes:\\n{attrs}\\n"
with open(f"{out}/a.yaml", "w") as fh:
    fh.write(head + "privacy:\\n  - k-anonymity: {k: 2}\\nsuppression_limit: 0\\nmetric: loss\\n"
             f"output: {{path: {out}/a.csv, report: {out}/a.html}}\\n")
with open(f"{out}/s.yaml", "w") as fh:
    fh.write(head)
assert main(["anonymize", f"{out}/a.yaml"]) == 0
assert main(["assess", f"{out}/s.yaml", "--json", f"{out}/s.json"]) == 0
print(sorted({m.split(".")[0] for m in sys.modules} & {"numba", "scipy", "pandas", "sklearn", "pyspark"}))
"""


def test_table_jobs_import_no_numba_or_scipy(tmp_path, arx_data):
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(arx_data / "test"), str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
