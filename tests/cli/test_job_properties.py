"""Property: whatever job file it is given, the CLI exits 0 or 2, never 3, shows no traceback and
leaves no partial or temporary file (issue #8, "Tests and proof").

Hypothesis starts from three valid jobs (anonymize with privacy models, SDC steps, exposure) and
breaks them: unknown keys at any level, wrong types and bad values, deleted keys, missing files,
duplicate keys, YAML aliases, ragged or infinite data. The CLI runs in-process (``cli.main``), so
each example costs milliseconds instead of a process start; ``main`` is the same code path as the
installed command, which only adds ``sys.exit``.
"""

from __future__ import annotations

import contextlib
import copy
import io
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from unlinkable.cli import main

AGES = [23, 35, 47, 52, 61, 29, 33, 41, 58, 66, 24, 38, 45, 51, 27, 36]
ZIPS = ["81667", "81675", "81925", "81931"]
DIAGNOSES = ["flu", "cold", "ulcer", "asthma"]

TABLE_JOB: dict[str, Any] = {
    "input": {"path": "people.csv"},
    "attributes": {
        "age": {"role": "quasi-identifier", "intervals": [10, 20]},
        "sex": {"role": "quasi-identifier", "masking": {"mask": "*"}},
        "zip": {"role": "quasi-identifier", "hierarchy": "zip.csv"},
        "income": {"role": "insensitive"},
        "diagnosis": {"role": "sensitive"},
    },
    "population": {"size": 100000},
    "privacy": [{"k-anonymity": {"k": 2}}, {"l-diversity": {"attribute": "diagnosis", "variant": "distinct", "l": 2}}],
    "suppression_limit": 0.25,
    "metric": {"name": "loss", "weights": {"age": 2}},
    "search": {"algorithm": "optimal"},
    "output": {"path": "out/released.csv", "delimiter": ",", "report": "out/report.html"},
}
STEPS_JOB: dict[str, Any] = {
    "input": {"path": "people.csv", "delimiter": ","},
    "attributes": {
        "age": {"role": "quasi-identifier"},
        "sex": {"role": "quasi-identifier"},
        "zip": {"role": "quasi-identifier"},
        "income": {"role": "insensitive"},
        "diagnosis": {"role": "sensitive"},
    },
    "steps": [
        {"recode": {"attribute": "age", "breaks": [0, 30, 50, 100]}},
        {"local-suppression": {"k": 2, "attributes": ["age", "sex", "zip"]}},
        {"microaggregation": {"attributes": ["income"], "k": 3, "method": "mdav"}},
        {"noise": {"attributes": ["income"], "noise": 10, "seed": 3}},
    ],
    "seed": 1,
    "output": {"path": "out/released.csv"},
}
EXPOSURE_JOB: dict[str, Any] = {
    "release": {"path": "people.csv", "delimiter": ","},
    "auxiliary": "voters.csv",
    "attributes": {"age": {"auxiliary": "AGE", "tolerance": 1}, "sex": {"auxiliary": "SEX"}, "zip": {"auxiliary": "ZIP"}},
    "truth_key": {"release": "pid", "auxiliary": "pid"},
    "what_if": True,
    "population": {"size": 100000},
}
JOBS = {"anonymize": TABLE_JOB, "assess": TABLE_JOB, "sdc": STEPS_JOB, "exposure": EXPOSURE_JOB}
PATH_KEYS = ("path", "hierarchy", "auxiliary", "release")


def _write_inputs(folder: Path) -> None:
    rows = [f"{i},{a},{'mf'[i % 2]},{ZIPS[i % 4]},{1000 + 137 * i},{DIAGNOSES[(i * 3) % 4]}" for i, a in enumerate(AGES)]
    (folder / "people.csv").write_text("pid,age,sex,zip,income,diagnosis\n" + "\n".join(rows) + "\n")
    voters = [f"{i},{a},{'mf'[i % 2]},{ZIPS[i % 4]}" for i, a in enumerate(AGES)]
    (folder / "voters.csv").write_text("pid,AGE,SEX,ZIP\n" + "\n".join(voters) + "\n")
    (folder / "zip.csv").write_text("".join(f"{z};{z[:4]}*;{z[:3]}**;*\n" for z in ZIPS))


def _places(node: Any, path: tuple = ()) -> list[tuple]:
    """Every (path, is_mapping) below ``node``: where a value can be replaced or a key added."""
    found = [(path, isinstance(node, dict))]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _places(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _places(value, path + (i,))
    return found


def _at(node: Any, path: tuple) -> Any:
    for step in path:
        node = node[step]
    return node


ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10), st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["", "-1", "0", "1e400", "nan", "missing.csv", ";", "x" * 500]),
    st.lists(st.integers(-3, 30), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(0, 5), max_size=2),
)


@st.composite
def broken_jobs(draw: st.DrawFn) -> tuple[str, str, str | None]:
    """(command, job text, data mutation): a valid job, or one broken in one or two ways."""
    command = draw(st.sampled_from(sorted(JOBS)))
    job = copy.deepcopy(JOBS[command])
    data_change = None
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["unknown-key", "value", "delete", "missing-file", "data"]))
        places = _places(job)
        if kind == "unknown-key":
            path, _ = draw(st.sampled_from([p for p in places if p[1]]))
            target = _at(job, path)
            existing = [str(k) for k in target] or ["key"]
            word = draw(st.sampled_from(existing))
            typo = draw(st.one_of(st.just(word[:-1] or "x"), st.just(word + word[-1:]), st.text(min_size=1, max_size=10)))
            if typo not in target:
                target[typo] = draw(ODD_VALUES)
        elif kind == "value" and len(places) > 1:
            path, _ = draw(st.sampled_from(places[1:]))
            _at(job, path[:-1])[path[-1]] = draw(ODD_VALUES)
        elif kind == "delete":
            keyed = [p for p, _ in places if p and isinstance(_at(job, p[:-1]), dict)]
            if keyed:
                path = draw(st.sampled_from(keyed))
                del _at(job, path[:-1])[path[-1]]
        elif kind == "missing-file":
            paths = [p for p, _ in places if p and p[-1] in PATH_KEYS and isinstance(_at(job, p), str)]
            if paths:
                path = draw(st.sampled_from(paths))
                _at(job, path[:-1])[path[-1]] = draw(st.sampled_from(["missing.csv", "out", ".", "zip.csv/x.csv", "people.csv"]))
        elif kind == "data":
            data_change = draw(st.sampled_from(["short-row", "long-row", "inf", "nan", "empty", "header-only", "not-utf8"]))
    text = yaml.safe_dump(job, sort_keys=False, allow_unicode=True)
    text_change = draw(st.sampled_from([None, None, None, "duplicate", "alias"]))
    if text_change == "duplicate" and text.strip():
        first = text.splitlines()[0]
        text = text + first + (" 1\n" if first.endswith(":") else "\n")
    elif text_change == "alias":
        lines = text.splitlines()
        lines[0] = lines[0] + " &first" if lines[0].endswith(":") else lines[0].split(":")[0] + ": &first " + lines[0].split(":", 1)[1]
        text = "\n".join(lines) + "\nseed: *first\n"
    return command, text, data_change


def _break_data(folder: Path, change: str | None) -> None:
    data = folder / "people.csv"
    lines = data.read_text().splitlines()
    if change == "short-row":
        lines[3] = lines[3].rsplit(",", 1)[0]
    elif change == "long-row":
        lines[3] += ",extra"
    elif change in ("inf", "nan"):
        cells = lines[5].split(",")
        cells[4] = "-inf" if change == "inf" else "NaN"
        lines[5] = ",".join(cells)
    elif change == "empty":
        lines = []
    elif change == "header-only":
        lines = lines[:1]
    if change == "not-utf8":
        data.write_bytes(b"pid,age\n1,\xff\xfe\n")
    elif change is not None:
        data.write_text("\n".join(lines) + ("\n" if lines else ""))


@settings(max_examples=40)
@given(broken_jobs())
def test_any_job_exits_0_or_2_without_traceback_or_partial_files(case):
    command, text, data_change = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write_inputs(folder)
        _break_data(folder, data_change)
        before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
        job = folder / "job.yaml"
        job.write_text(text, encoding="utf-8")
        out = folder / "out"
        argv = ["anonymize" if command == "sdc" else command, str(job), "--json", str(out / "result.json")]
        if command in ("assess", "exposure"):
            argv += ["--records", str(out / "records.csv")]
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(argv)
        err = stderr.getvalue()
        assert code in (0, 2), f"exit {code}: {err}\n--- job ---\n{text}"
        assert "Traceback" not in err and "probably a bug" not in err, err
        written = sorted(p.name for p in out.iterdir()) if out.is_dir() else []
        assert not [n for n in written if n.startswith(".") or n.endswith(".tmp")], written
        if code == 2:
            assert written == [], f"{err}: wrote {written}"
            assert len(err.strip().splitlines()) == 1, err
        for name, content in before.items():
            assert (folder / name).read_bytes() == content, f"input {name} was changed"
