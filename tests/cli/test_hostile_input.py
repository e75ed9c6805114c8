"""Hostile input (issue #8 item 5), through the real command line and the Python API.

Every bad input exits 2 with one line on stderr that names what is wrong, prints at most about
200 characters of any value, shows no traceback, and leaves the output folder empty.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import unlinkable
from unlinkable.data.io import read_table
from unlinkable.errors import MESSAGE_LIMIT, ConfigError, InputError
from unlinkable.sdc.microaggregation import microaggregation
from unlinkable.sdc.noise import add_noise
from unlinkable.sdc.numeric_utility import numeric_utility
from unlinkable.sdc.rank_swap import rank_swap
from unlinkable.sdc.recode import recode
from unlinkable.sdc.top_bottom import top_bottom_code

ROOT = Path(__file__).resolve().parents[2]
EXE = ROOT / ".venv" / "bin" / "unlinkable"

AGES = [23, 35, 47, 52, 61, 29, 33, 41, 58, 66, 24, 38]
SEXES = ["m", "f"] * 6
INCOMES = [1200, 3400, 2100, 5600, 4300, 2500, 3100, 2800, 6100, 3900, 1500, 4700]


@pytest.fixture(autouse=True)
def _output_folder(tmp_path: Path) -> None:
    """The folder the refused runs would write into: it must exist (a missing one is an error of its own)."""
    (tmp_path / "out").mkdir()


def _cli(*args: object) -> subprocess.CompletedProcess:
    exe = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "unlinkable"]
    return subprocess.run([*exe, *map(str, args)], capture_output=True, text=True, timeout=300)


def _data(folder: Path, *, income: list[str] | None = None) -> Path:
    incomes = income or [str(v) for v in INCOMES]
    rows = [f"{a},{s},{i}" for a, s, i in zip(AGES, SEXES, incomes)]
    path = folder / "people.csv"
    path.write_text("age,sex,income\n" + "\n".join(rows) + "\n")
    return path


def _anonymize_job(folder: Path, extra: str = "", *, roles: str | None = None) -> Path:
    _data(folder)
    roles = roles or ("  age: {role: quasi-identifier, intervals: [10, 20]}\n"
                      "  sex: {role: quasi-identifier, masking: {}}\n"
                      "  income: {role: insensitive}\n")
    job = folder / "job.yaml"
    job.write_text("input: {path: people.csv}\nattributes:\n" + roles
                   + "privacy: [{k-anonymity: {k: 2}}]\noutput: {path: out/released.csv}\n" + extra)
    return job


def _assert_refused(proc: subprocess.CompletedProcess, folder: Path, *, must_say: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr
    assert must_say in proc.stderr, proc.stderr
    out = folder / "out"
    assert not out.exists() or not any(out.iterdir())


# --- job files -------------------------------------------------------------------------------


def test_misspelt_suppression_limit_is_refused_with_a_suggestion(tmp_path):
    job = _anonymize_job(tmp_path, "supression_limit: 0\n")
    proc = _cli("anonymize", job, "--json", tmp_path / "out" / "r.json")
    _assert_refused(proc, tmp_path, must_say="did you mean 'suppression_limit'?")


@pytest.mark.parametrize(
    "extra, must_say",
    [
        ("metric: {name: loss, weigths: {age: 2}}\n", "did you mean 'weights'?"),
        ("search: {algoritm: heuristic}\n", "did you mean 'algorithm'?"),
        ("steps: [{microaggregation: {attributes: [income], kk: 3}}]\n", "did you mean 'k'?"),
    ],
)
def test_unknown_keys_deeper_down_are_refused(tmp_path, extra, must_say):
    proc = _cli("anonymize", _anonymize_job(tmp_path, extra))
    _assert_refused(proc, tmp_path, must_say=must_say)


def test_unknown_model_parameter_is_refused(tmp_path):
    job = _anonymize_job(tmp_path)
    job.write_text(job.read_text().replace("{k: 2}", "{k: 2, l: 3}"))
    _assert_refused(_cli("anonymize", job), tmp_path, must_say="k-anonymity: unknown parameter 'l'")


def test_unknown_attribute_setting_is_refused_by_assess_too(tmp_path):
    job = _anonymize_job(tmp_path, roles="  age: {role: quasi-identifier, intervals: [10, 20], hierarchie: x.csv}\n"
                                         "  sex: {role: quasi-identifier}\n  income: {role: insensitive}\n")
    _assert_refused(_cli("assess", job, "--json", tmp_path / "out" / "r.json"), tmp_path,
                    must_say="did you mean 'hierarchy'?")


def test_exposure_job_unknown_setting_is_refused(tmp_path):
    _data(tmp_path)
    job = tmp_path / "exposure.yaml"
    job.write_text("release: people.csv\nauxiliary: people.csv\nattributes: {age: {auxilary: age}}\n")
    _assert_refused(_cli("exposure", job, "--json", tmp_path / "out" / "r.json"), tmp_path,
                    must_say="did you mean 'auxiliary'?")


def test_duplicate_key_is_refused_naming_key_and_line(tmp_path):
    job = _anonymize_job(tmp_path, "privacy: [{k-anonymity: {k: 3}}]\n")
    _assert_refused(_cli("anonymize", job), tmp_path, must_say="line 8: key 'privacy' is given twice (first at line 6)")


def test_alias_bomb_is_refused_in_a_few_bytes(tmp_path):
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]" for i in range(8)]
    job = tmp_path / "bomb.yaml"
    job.write_text("\n".join(levels) + "\nprivacy: *i\n")
    proc = _cli("anonymize", job)
    _assert_refused(proc, tmp_path, must_say="YAML aliases")
    assert len(proc.stderr) < 2 * MESSAGE_LIMIT


def test_oversized_job_file_is_refused(tmp_path):
    job = _anonymize_job(tmp_path)
    job.write_text(job.read_text() + "# " + "x" * 1_100_000 + "\n")
    _assert_refused(_cli("anonymize", job), tmp_path, must_say="larger than the limit")


def test_a_huge_value_is_shown_truncated(tmp_path):
    job = _anonymize_job(tmp_path, roles="  age: {role: " + "q" * 50_000 + "}\n")
    proc = _cli("anonymize", job)
    _assert_refused(proc, tmp_path, must_say="unknown role")
    assert "q" * 250 not in proc.stderr and len(proc.stderr) < 2 * MESSAGE_LIMIT


# --- CSV rows --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, must_say",
    [
        ("23,m,1200\n35,f\n47,m,2100\n", "row 2 (line 3) has 2 fields, but the header has 3"),
        ("23,m,1200\n35,f,3400,9\n", "row 2 (line 3) has 4 fields, but the header has 3"),
        ("23,m,1200\n\n47,m,2100\n", "row 2 (line 3) is empty"),
        ('23,m,"12\n00"\n35,f\n', "row 2 (line 4) has 2 fields"),
    ],
)
def test_rows_with_too_few_or_too_many_fields_are_refused(tmp_path, body, must_say):
    data = tmp_path / "people.csv"
    data.write_text("age,sex,income\n" + body)
    proc = _cli("assess", data, "--qi", "age,sex", "--json", tmp_path / "out" / "r.json")
    _assert_refused(proc, tmp_path, must_say=f"{data}: {must_say}")


def test_a_short_row_is_refused_by_the_python_api_too(tmp_path):
    data = tmp_path / "people.csv"
    data.write_text("age,sex\n23,m\n35\n")
    with pytest.raises(InputError, match=r"people.csv: row 2 \(line 3\) has 1 field, but the header has 2"):
        unlinkable.assess(data, quasi_identifiers=["age", "sex"])


def test_a_misspelt_column_gets_a_suggestion(tmp_path):
    with pytest.raises(InputError, match="did you mean 'age'"):
        unlinkable.assess(pl.DataFrame({"age": ["1", "2"]}), quasi_identifiers=["agee"])


def test_quoted_delimiters_and_line_breaks_still_read(tmp_path):
    data = tmp_path / "people.csv"
    data.write_text('name,sex\n"Doe, Jane",f\n"Roe,\nRichard",m\n"Poe ""E.""",m\n\n')
    frame = read_table(data)
    assert frame["name"].to_list() == ["Doe, Jane", "Roe,\nRichard", 'Poe "E."']
    proc = _cli("assess", data, "--qi", "sex", "--json", tmp_path / "r.json")
    assert proc.returncode == 0, proc.stderr


# --- inf, -inf and NaN in numeric columns ------------------------------------------------------

NUMERIC_METHODS = {
    "mdav": lambda df: microaggregation(df, attributes=["x", "y"], k=3, method="mdav").table,
    "univariate": lambda df: microaggregation(df, attributes=["x"], k=3, method="univariate").table,
    "individual_ranking": lambda df: microaggregation(df, attributes=["x", "y"], k=3, method="individual_ranking").table,
    "noise-additive": lambda df: add_noise(df, attributes=["x", "y"], noise=50, seed=1),
    "noise-correlated": lambda df: add_noise(df, attributes=["x", "y"], noise=50, method="correlated", seed=1),
    "noise-correlated2": lambda df: add_noise(df, attributes=["x", "y"], noise=50, method="correlated2", seed=1),
    "rank-swap": lambda df: rank_swap(df, attributes=["x", "y"], p=10, seed=1),
    "top-bottom": lambda df: top_bottom_code(df, attribute="x", top=5, top_value=5),
    "recode": lambda df: recode(df, attribute="x", breaks=[0, 5, 11]),
    "recode-quantiles": lambda df: recode(df, attribute="x", breaks=3),
    "utility": lambda df: numeric_utility(df, df, attributes=["x", "y"]),
}


def _numbers(bad: str, *, as_float: bool) -> pl.DataFrame:
    xs = [str(v) for v in range(1, 11)]
    xs[3] = bad
    frame = pl.DataFrame({"x": xs, "y": [str(v) for v in (3, 7, 1, 9, 4, 8, 2, 10, 6, 5)]})
    return frame.with_columns(pl.all().cast(pl.Float64)) if as_float else frame


@pytest.mark.parametrize("as_float", [False, True], ids=["text", "float"])
@pytest.mark.parametrize("bad", ["inf", "-inf", "1e400", "1e308"])
@pytest.mark.parametrize("method", sorted(NUMERIC_METHODS))
def test_infinite_or_huge_numbers_are_refused_by_every_numeric_method(method, bad, as_float):
    with pytest.raises(InputError, match=r"column 'x' row 4: value .* is (infinite|larger in magnitude)"):
        NUMERIC_METHODS[method](_numbers(bad, as_float=as_float))


@pytest.mark.parametrize("as_float", [False, True], ids=["text", "float"])
@pytest.mark.parametrize("method", sorted(NUMERIC_METHODS))
def test_nan_is_read_as_missing_by_every_numeric_method(method, as_float):
    with_nan = NUMERIC_METHODS[method](_numbers("NaN", as_float=as_float))
    if isinstance(with_nan, pl.DataFrame):
        value = with_nan["x"][3]
        assert value is None or math.isnan(value)


def test_inf_in_an_sdc_job_exits_2_naming_column_and_row(tmp_path):
    data = _data(tmp_path, income=[str(v) for v in INCOMES[:5]] + ["-inf"] + [str(v) for v in INCOMES[6:]])
    job = tmp_path / "sdc.yaml"
    job.write_text(f"input: {{path: {data.name}}}\nattributes:\n  age: {{role: quasi-identifier}}\n"
                   "  sex: {role: quasi-identifier}\n  income: {role: insensitive}\n"
                   "steps: [{microaggregation: {attributes: [income], k: 3}}]\noutput: {path: out/released.csv}\n")
    _assert_refused(_cli("anonymize", job), tmp_path, must_say="column 'income' row 6: value '-inf' is infinite")


# --- pandas ------------------------------------------------------------------------------------


def test_a_pandas_column_of_mixed_types_is_named():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"age": [23, "thirty", 47, None], "sex": ["m", "f", "m", "f"]})
    calls = [
        lambda: read_table(frame),
        lambda: unlinkable.assess(frame, quasi_identifiers=["age", "sex"]),
        lambda: unlinkable.Pipeline([("microaggregation", {"attributes": ["age"], "k": 2})]).run(frame),
        lambda: microaggregation(frame, attributes=["age"], k=2),
    ]
    for call in calls:
        with pytest.raises(InputError, match=r"column 'age' mixes types \(int, str\); row 2 is of type str, row 1 of type int"):
            call()


def test_a_pandas_float_column_with_inf_is_refused():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"income": [1.0, 2.0, float("inf"), 4.0]})
    with pytest.raises(InputError, match="row 3: value inf is infinite"):
        microaggregation(frame, attributes=["income"], k=2)


def test_python_api_rejects_misspelt_parameters_with_a_suggestion():
    with pytest.raises(ConfigError, match="did you mean 'noise'"):
        unlinkable.Pipeline([("noise", {"attributes": ["x"], "noize": 1})])
    with pytest.raises(ConfigError, match="did you mean 'k-anonymity'"):
        unlinkable.Anonymizer(quasi_identifiers=["a"], hierarchies={"a": unlinkable.Hierarchy([["1", "*"]])},
                              privacy=[{"kanonymity": {"k": 2}}])
