"""Strict, bounded job files (issue #8 item 5): unknown keys, duplicate keys, aliases, size."""

from __future__ import annotations

import pytest

from unlinkable.config import MAX_DEPTH, MAX_JOB_BYTES, load_job
from unlinkable.errors import MESSAGE_LIMIT, VALUE_LIMIT, ConfigError, UnlinkableError, shown

BASE = "input: {path: d.csv}\nattributes: {age: {role: quasi-identifier, intervals: [5, 10]}}\n"


def _load(tmp_path, text, *, kind="table"):
    job = tmp_path / "job.yaml"
    job.write_text(text)
    return load_job(job, kind=kind)


# Every level of a job file, each with a misspelt key and the key the hint must suggest.
UNKNOWN_KEYS = [
    (BASE + "supression_limit: 0\n", "section 'supression_limit'", "suppression_limit"),
    ("input: {path: d.csv, delimter: ';'}\n", "`input`: unknown key 'delimter'", "delimiter"),
    (BASE + "output: {path: o.csv, reprot: r.html}\n", "`output`: unknown key 'reprot'", "report"),
    ("attributes: {age: {role: quasi-identifier, hierachy: h.csv}}\n", "unknown setting 'hierachy'", "hierarchy"),
    ("attributes: {age: {intervals: {widths: [5], strat: 0}}}\n", "unknown key 'strat'", "start"),
    ("attributes: {z: {masking: {mask: '*', maks: '#'}}}\n", "unknown key 'maks'", "mask"),
    ("attributes: {d: {dates: {formt: '%Y'}}}\n", "unknown key 'formt'", "format"),
    ("population: {size: 10, sampling_fracton: 0.1}\n", "unknown key 'sampling_fracton'", "sampling_fraction"),
    (BASE + "privacy: [{k-anonymity: {kk: 5}}]\n", "unknown parameter 'kk'", "k"),
    (BASE + "privacy: [{k-anonimity: {k: 5}}]\n", "unknown privacy model 'k-anonimity'", "k-anonymity"),
    (BASE + "privacy: [{l-diversity: {attribute: d, l: 2, variannt: distinct}}]\n", "unknown parameter 'variannt'", "variant"),
    (BASE + "privacy: [{t-closeness: {attribute: d, t: 0.2, distanse: equal}}]\n", "unknown parameter 'distanse'", "distance"),
    (BASE + "privacy: [{average-risk: {treshold: 0.1}}]\n", "unknown parameter 'treshold'", "threshold"),
    (BASE + "metric: {name: loss, wieghts: {age: 2}}\n", "unknown key 'wieghts'", "weights"),
    (BASE + "metric: los\n", "unknown metric 'los'", "loss"),
    (BASE + "search: {algorithm: optimal, time_limit: 5}\n", "unknown key 'time_limit'", "time_limit_s"),
    (BASE + "search: {algorithm: heuristc}\n", "unknown search algorithm 'heuristc'", "heuristic"),
    (BASE + "search: {algorithm: lightning, step_limt: 5}\n", "unknown key 'step_limt'", "step_limit"),
    (BASE + "search: {algorithm: genetc, seed: 1}\n", "unknown search algorithm 'genetc'", "genetic"),
    (BASE + "local_recoding: {gs_factr: 0.1}\n", "unknown key 'gs_factr'", "gs_factor"),
    (BASE + "steps: [{recod: {attribute: age, breaks: [0, 50]}}]\n", "unknown step 'recod'", "recode"),
    (BASE + "steps: [{noise: {attributes: [age], nois: 10}}]\n", "unknown parameter 'nois'", "noise"),
    ("attributes: {a: {role: quasi-identifer}}\n", "unknown role 'quasi-identifer'", "quasi-identifier"),
]


@pytest.mark.parametrize("text, message, suggestion", UNKNOWN_KEYS)
def test_unknown_keys_at_every_level_fail_with_a_suggestion(tmp_path, text, message, suggestion):
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    assert message in caught.value.message
    assert f"did you mean {suggestion!r}?" in caught.value.hint


@pytest.mark.parametrize(
    "text, message, suggestion",
    [
        ("release: r.csv\nauxiliary: a.csv\nattributes: {age: {auxilary: AGE}}\n", "unknown setting 'auxilary'", "auxiliary"),
        ("release: r.csv\nauxiliary: a.csv\nattributes: {age: {}}\ntruth_key: {release: p, auxillary: p}\n",
         "unknown key 'auxillary'", "auxiliary"),
        ("release: r.csv\nauxiliary: a.csv\nattributes: {age: {}}\nwhat_iff: false\n", "unknown section 'what_iff'", "what_if"),
        ("release: {path: r.csv, delimitr: ','}\nauxiliary: a.csv\nattributes: {age: {}}\n", "unknown key 'delimitr'", "delimiter"),
    ],
)
def test_exposure_jobs_are_strict_too(tmp_path, text, message, suggestion):
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text, kind="exposure")
    assert message in caught.value.message
    assert f"did you mean {suggestion!r}?" in caught.value.hint


def test_a_section_of_the_other_kind_of_job_is_unknown(tmp_path):
    with pytest.raises(ConfigError, match="unknown section 'release'"):
        _load(tmp_path, BASE + "release: r.csv\n")


@pytest.mark.parametrize(
    "text, line, first",
    [
        ("input: {path: d.csv}\ninput: {path: e.csv}\n", 2, 1),
        ("attributes:\n  age: {role: quasi-identifier}\n  age: {role: insensitive}\n", 3, 2),
        ("privacy:\n  - k-anonymity:\n      k: 5\n      k: 2\n", 4, 3),
        ('{"input": {"path": "d.csv"}, "input": {"path": "e.csv"}}', 1, 1),
    ],
)
def test_duplicate_keys_are_errors_naming_key_and_line(tmp_path, text, line, first):
    with pytest.raises(ConfigError, match=rf"line {line}: key '\w+' is given twice \(first at line {first}\)"):
        _load(tmp_path, text)


def test_aliases_are_rejected_before_they_expand(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9))
    with pytest.raises(ConfigError, match="line 2: YAML aliases"):
        _load(tmp_path, bomb + "privacy: *j\n")


def test_merge_of_an_alias_is_an_alias_too(tmp_path):
    with pytest.raises(ConfigError, match="aliases"):
        _load(tmp_path, "x: &x {size: 10}\npopulation:\n  <<: *x\n")


def test_job_files_are_bounded_in_size_and_depth(tmp_path):
    job = tmp_path / "big.yaml"
    job.write_text("# " + "x" * MAX_JOB_BYTES + "\n")
    with pytest.raises(ConfigError, match="larger than the limit"):
        load_job(job)
    with pytest.raises(ConfigError, match=f"nested more than {MAX_DEPTH} levels"):
        _load(tmp_path, "seed: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n")


def test_a_folder_is_not_a_job_file(tmp_path):
    with pytest.raises(ConfigError, match="not a file"):
        load_job(tmp_path)


@pytest.mark.parametrize(
    "text, match",
    [
        ("input: {path: [a, b]}\n", "`input.path` must be a file path"),
        ("input: {path: d.csv, delimiter: 5}\n", "must be one character"),
        ("attributes: {age: {intervals: five}}\n", "widths must be a list"),
        ("attributes: {age: {intervals: [5, -1]}}\n", "width"),
        ("attributes: {age: {role: [a]}}\n", "unknown role"),
        ("attributes: {z: {masking: {mask: '**'}}}\n", "mask must be one character"),
        ("attributes: {d: {grouping: {a: b}}}\n", "must be a list of"),
        (BASE + "suppression_limit: lots\n", "'suppression_limit' parameter must be a number"),
        (BASE + "seed: -1\n", "'seed' parameter must be a whole number >= 0"),
        (BASE + "privacy: k-anonymity\n", "`privacy` must be a list"),
        (BASE + "steps: {recode: {}}\n", "`steps` must be a list"),
        ("release: r.csv\nauxiliary: a.csv\nattributes: {age: {}}\nwhat_if: maybe\n", "`what_if` must be true or false"),
    ],
)
def test_wrong_types_are_config_errors(tmp_path, text, match):
    kind = "exposure" if text.startswith("release") else "table"
    with pytest.raises(ConfigError, match=match):
        _load(tmp_path, text, kind=kind)


def test_no_message_prints_more_than_about_200_characters_of_a_value(tmp_path):
    huge = "x" * 100_000
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, f"attributes: {{a: {{role: {huge}}}}}\n")
    assert len(caught.value.one_line()) < 2 * MESSAGE_LIMIT + 100
    assert "x" * (VALUE_LIMIT + 10) not in caught.value.one_line()
    assert len(shown(list(range(10**6)))) <= VALUE_LIMIT + 30


def test_every_message_is_capped_centrally():
    error = UnlinkableError("v" * 10_000, hint="h" * 10_000)
    assert len(error.message) < MESSAGE_LIMIT + 40 and len(error.hint) < MESSAGE_LIMIT + 40


def test_every_registered_model_refuses_an_unknown_parameter():
    from unlinkable.models import REGISTRY, model_from_config

    for name in REGISTRY:
        with pytest.raises(ConfigError, match="unknown parameter 'zzz_unknown'"):
            model_from_config({name: {"zzz_unknown": 1}})
