"""A seeded synthetic census-like table with hierarchies for every quasi-identifier.

The bundled example data: no real person is in it. Columns: person_id (identifier), age, sex,
zip, birth_date, marital_status, education, occupation, income, diagnosis. Values are drawn
with plausible dependencies (marital status on age, occupation and income on education) so
risk and utility figures behave like those of real microdata.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from unlinkable.constraints import check_int
from unlinkable.hierarchies import builders
from unlinkable.hierarchies.hierarchy import Hierarchy

_SEX = np.array(["female", "male"])
_MARITAL = np.array(["never-married", "married", "divorced", "widowed", "separated"])
_EDUCATION = np.array(["primary", "lower-secondary", "upper-secondary", "vocational", "bachelor", "master", "doctorate"])
_OCCUPATION = np.array([
    "cleaner", "farm-worker", "machine-operator", "craft-worker", "clerk", "sales-worker",
    "technician", "nurse", "teacher", "engineer", "manager", "physician", "scientist", "lawyer",
])
# ICD-10-like diagnoses: code -> chapter
_DIAGNOSES = {
    "influenza": "respiratory", "pneumonia": "respiratory", "asthma": "respiratory", "bronchitis": "respiratory",
    "gastritis": "digestive", "ulcer": "digestive", "hepatitis": "digestive",
    "diabetes": "endocrine", "hypothyroidism": "endocrine",
    "hypertension": "circulatory", "heart-failure": "circulatory", "stroke": "circulatory",
    "depression": "mental", "anxiety": "mental",
    "fracture": "injury", "sprain": "injury",
}
_CHAPTER_GROUP = {"respiratory": "organ-system", "digestive": "organ-system", "circulatory": "organ-system",
                  "endocrine": "organ-system", "mental": "other", "injury": "other"}
_REFERENCE_DAY = date(2026, 1, 1)


def census(n: int = 10_000, *, seed: int = 0) -> pl.DataFrame:
    """Draw ``n`` synthetic census records; the same ``seed`` gives the same table.

    Examples
    --------
    >>> df = census(5, seed=1)
    >>> df.columns
    ['person_id', 'age', 'sex', 'zip', 'birth_date', 'marital_status', 'education', 'occupation', 'income', 'diagnosis']
    >>> df.equals(census(5, seed=1))
    True
    """
    n = check_int(n, "n", low=1)
    rng = np.random.default_rng(seed)
    age = np.clip(np.round(rng.gamma(6.0, 7.0, n) + 16), 17, 95).astype(np.int64)
    sex = _SEX[rng.integers(0, 2, n)]
    # ZIP codes: 60 regions x a few streets each, Zipf-like popularity
    regions = np.array([f"{r:03d}" for r in rng.choice(np.arange(100, 999), 60, replace=False)])
    region_p = 1.0 / np.arange(1, 61) ** 0.8
    region = rng.choice(60, n, p=region_p / region_p.sum())
    zip_code = np.char.add(regions[region], np.char.zfill(rng.integers(0, 40, n).astype(str), 2))
    days_into_year = rng.integers(0, 365, n)
    birth = np.array([_REFERENCE_DAY.toordinal()], dtype=np.int64) - (age + 1) * 365 + days_into_year
    birth_date = np.array([date.fromordinal(int(d)).isoformat() for d in np.unique(birth)])[np.searchsorted(np.unique(birth), birth)]
    # marital status depends on age
    young = age < 30
    p_young = np.array([0.70, 0.24, 0.03, 0.0, 0.03])
    p_old = np.array([0.15, 0.55, 0.15, 0.10, 0.05])
    u = rng.random(n)
    marital = np.where(young, np.searchsorted(np.cumsum(p_young), u), np.searchsorted(np.cumsum(p_old), u))
    marital = _MARITAL[np.minimum(marital, 4)]
    edu_idx = np.minimum(rng.binomial(6, 0.42, n), 6)
    education = _EDUCATION[edu_idx]
    occ_centre = edu_idx * 13 / 6
    occ_idx = np.clip(np.round(occ_centre + rng.normal(0, 2.2, n)), 0, 13).astype(np.int64)
    occupation = _OCCUPATION[occ_idx]
    income = np.round(np.exp(9.6 + 0.18 * edu_idx + 0.012 * np.minimum(age, 60) + rng.normal(0, 0.45, n)), -3).astype(np.int64)
    diag_names = np.array(list(_DIAGNOSES))
    diag_p = np.linspace(2.0, 0.5, len(diag_names))
    diagnosis = diag_names[rng.choice(len(diag_names), n, p=diag_p / diag_p.sum())]
    return pl.DataFrame({
        "person_id": [f"P{i:07d}" for i in range(1, n + 1)],
        "age": age.astype(str),
        "sex": sex,
        "zip": zip_code,
        "birth_date": birth_date,
        "marital_status": marital,
        "education": education,
        "occupation": occupation,
        "income": income.astype(str),
        "diagnosis": diagnosis,
    })


def census_hierarchies(frame: pl.DataFrame) -> dict[str, Hierarchy]:
    """Hierarchies for every quasi-identifier (and the diagnosis) of a :func:`census` table.

    Examples
    --------
    >>> h = census_hierarchies(census(50, seed=0))
    >>> h["zip"].levels, h["age"].levels
    (7, 6)
    """
    def col(name: str) -> list[Any]:
        return frame[name].to_list()

    marital_groups = {"never-married": "single", "divorced": "single", "widowed": "single", "separated": "single", "married": "partnered"}
    edu_groups = {"primary": "compulsory", "lower-secondary": "compulsory", "upper-secondary": "secondary",
                  "vocational": "secondary", "bachelor": "tertiary", "master": "tertiary", "doctorate": "tertiary"}
    occ_groups = {o: ("manual" if i < 4 else "clerical" if i < 6 else "professional") for i, o in enumerate(_OCCUPATION)}
    return {
        "age": builders.intervals(col("age"), [5, 10, 20, 40], column="age"),
        "sex": Hierarchy([[s, "*"] for s in dict.fromkeys(col("sex"))], name="sex"),
        "zip": builders.masking(col("zip"), column="zip"),
        "birth_date": builders.dates(col("birth_date"), column="birth_date"),
        "marital_status": builders.grouping(col("marital_status"), [marital_groups], column="marital_status"),
        "education": builders.grouping(col("education"), [edu_groups], column="education"),
        "occupation": builders.grouping(col("occupation"), [occ_groups], column="occupation"),
        "income": builders.intervals(col("income"), [10000, 20000, 40000, 80000], column="income"),
        "diagnosis": builders.grouping(col("diagnosis"), [_DIAGNOSES, _CHAPTER_GROUP], column="diagnosis"),
    }


def write_census_job(folder: str | Path, *, n: int = 10_000, seed: int = 0) -> Path:
    """Write the census table, its hierarchies and a ready anonymize job file into ``folder``.

    ``folder`` is created if missing (it is where the demo's files go). Returns the job file's path.
    """
    from unlinkable.data.io import atomic_write_text, write_table
    from unlinkable.hierarchies.io import write_hierarchy

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frame = census(n, seed=seed)
    write_table(frame, folder / "census.csv", delimiter=",")
    hierarchies = census_hierarchies(frame)
    for name in ("age", "sex", "zip", "marital_status", "education", "occupation", "diagnosis"):
        write_hierarchy(hierarchies[name], folder / f"census_hierarchy_{name}.csv")
    job = f"""# unlinkable job: anonymize the synthetic census table ({n} records, seed {seed})
input: {{path: census.csv, delimiter: ","}}
# Every column has a role; a column without one is an error, so nothing unexamined is released.
attributes:
  person_id: {{role: identifier}}       # dropped
  birth_date: {{role: identifier}}      # dropped: day-exact, it singles out nearly every record; age stays
  age: {{role: quasi-identifier, hierarchy: census_hierarchy_age.csv}}
  sex: {{role: quasi-identifier, hierarchy: census_hierarchy_sex.csv}}
  zip: {{role: quasi-identifier, hierarchy: census_hierarchy_zip.csv}}
  marital_status: {{role: quasi-identifier, hierarchy: census_hierarchy_marital_status.csv}}
  education: {{role: quasi-identifier, hierarchy: census_hierarchy_education.csv}}
  occupation: {{role: quasi-identifier, hierarchy: census_hierarchy_occupation.csv}}
  income: {{role: sensitive}}
  diagnosis: {{role: sensitive, hierarchy: census_hierarchy_diagnosis.csv}}
population: {{sampling_fraction: 0.01}}
privacy:
  - k-anonymity: {{k: 5}}
  - l-diversity: {{attribute: diagnosis, variant: distinct, l: 2}}
  - t-closeness: {{attribute: income, distance: ordered, t: 0.3}}   # income is released: bound what a class reveals of it
suppression_limit: 0.05
metric: loss
search: {{algorithm: optimal}}
output: {{path: census_anonymized.csv, delimiter: ",", report: census_report.html}}
"""
    return atomic_write_text(folder / "census_job.yaml", job)
