"""Progress on a terminal (issue 8 item 9): each phase shown, search counts true, nothing invented.

The terminal mode is forced with UNLINKABLE_PROGRESS=1 or ``Progress(enabled=True)``; under pytest
progress is otherwise silent.
"""

import io
import json
import re

import numpy as np
import polars as pl
import pytest

from unlinkable.anonymizer import Anonymizer
from unlinkable.cli import main
from unlinkable.hierarchies.hierarchy import Hierarchy
from unlinkable.progress import PHASES, Progress, progress_enabled


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_silent_under_tests_unless_forced(monkeypatch):
    monkeypatch.delenv("UNLINKABLE_PROGRESS", raising=False)
    assert not progress_enabled(_Tty())  # a terminal, but pytest is running
    monkeypatch.setenv("UNLINKABLE_PROGRESS", "1")
    assert progress_enabled(io.StringIO())
    monkeypatch.setenv("UNLINKABLE_PROGRESS", "0")
    assert not progress_enabled(_Tty())


def test_disabled_progress_writes_nothing():
    out = io.StringIO()
    p = Progress(enabled=False, stream=out)
    with p.phase("read"):
        p.search(3, 4)
    assert out.getvalue() == ""


def test_failed_phase_prints_no_done_line():
    out = io.StringIO()
    p = Progress(enabled=True, stream=out)
    with pytest.raises(ValueError):
        with p.phase("verify"):
            raise ValueError("boom")
    assert "verify" not in out.getvalue()


def _table(seed=0, n=60):
    rng = np.random.default_rng(seed)
    return pl.DataFrame({"age": [str(x) for x in rng.integers(20, 30, n)],
                         "zip": [f"1{x}" for x in rng.integers(0, 8, n)]})


def _hierarchies():
    age = Hierarchy([[str(a), f"{a // 2 * 2}-{a // 2 * 2 + 1}", f"{a // 4 * 4}-{a // 4 * 4 + 3}", "*"] for a in range(20, 30)])
    zips = Hierarchy([[f"1{z}", f"1{z // 2}*", "1**", "*"] for z in range(8)])
    return {"age": age, "zip": zips}


@pytest.mark.parametrize("search", ["optimal", "heuristic"])
def test_search_counts_are_the_searchs_own(search):
    calls = []

    class Recording(Progress):
        def search(self, checked, pruned=None):
            calls.append((checked, pruned))
            super().search(checked, pruned)

    out = io.StringIO()
    shown = Recording(enabled=True, stream=out)
    kwargs = dict(quasi_identifiers=["age", "zip"], hierarchies=_hierarchies(), privacy=[{"k-anonymity": {"k": 4}}],
                  suppression_limit=0.05, search=search)
    result = Anonymizer(**kwargs, progress=shown).fit(_table())
    quiet = Anonymizer(**kwargs, progress=False).fit(_table())
    # progress changes nothing
    assert result.transformation == quiet.transformation and result.loss == quiet.loss
    live, final = calls[:-1], calls[-1]
    # counts only grow, never past the outcome; the last call states the outcome
    counts = [c for c, _ in live]
    assert counts == sorted(set(counts)) and counts[-1] <= final[0]
    assert final[0] == result.nodes_checked
    if search == "optimal":
        assert final[1] == result.nodes_pruned == result.lattice_size - result.nodes_checked
        assert all(0 <= p <= result.lattice_size - c for c, p in live)
        assert f"{result.nodes_checked} checked, {result.nodes_pruned} pruned" in out.getvalue()
    else:
        assert all(p is None for _, p in calls)  # a heuristic prunes nothing by monotonicity: no figure
        assert "pruned" not in out.getvalue()
    text = out.getvalue()
    assert "%" not in text and "eta" not in text.lower() and "remaining" not in text


def test_anonymize_command_shows_every_phase(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("UNLINKABLE_PROGRESS", "1")
    frame = _table()
    frame.write_csv(tmp_path / "d.csv")
    for name, h in _hierarchies().items():
        (tmp_path / f"{name}.csv").write_text("\n".join(";".join(r) for r in h.rows) + "\n")
    (tmp_path / "job.yaml").write_text(
        "input: {path: d.csv}\nattributes:\n"
        "  age: {role: quasi-identifier, hierarchy: age.csv}\n  zip: {role: quasi-identifier, hierarchy: zip.csv}\n"
        "privacy: [{k-anonymity: {k: 4}}]\nsuppression_limit: 0.05\noutput: {path: out.csv}\n")
    assert main(["anonymize", str(tmp_path / "job.yaml"), "--json", str(tmp_path / "r.json")]) == 0
    err = capsys.readouterr().err
    shown = [m.group(1) for m in re.finditer(r"^\u2713 (\w+)", err, flags=re.M)]
    assert shown == list(PHASES)
    figures = json.loads((tmp_path / "r.json").read_text())
    assert f"{figures['lattice']['checked']} checked, {figures['lattice']['pruned']} pruned" in err


@pytest.mark.parametrize("command", ["assess", "exposure"])
def test_other_commands_show_their_phases(tmp_path, monkeypatch, capsys, command):
    monkeypatch.setenv("UNLINKABLE_PROGRESS", "1")
    _table().write_csv(tmp_path / "d.csv")
    _table(seed=1).write_csv(tmp_path / "aux.csv")
    if command == "assess":
        argv = ["assess", str(tmp_path / "d.csv"), "--qi", "age,zip", "--json", str(tmp_path / "r.json")]
    else:
        (tmp_path / "job.yaml").write_text("release: d.csv\nauxiliary: aux.csv\nattributes: {age: {}, zip: {}}\n")
        argv = ["exposure", str(tmp_path / "job.yaml"), "--json", str(tmp_path / "r.json")]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert [m.group(1) for m in re.finditer(r"^\u2713 (\w+)", err, flags=re.M)] == ["read", "risk", "write"]
