"""OutputSet: every output of a run renamed into place together, or nothing written."""

from __future__ import annotations

import os
import signal
import threading

import polars as pl
import pytest

from unlinkable.data import outputs as outputs_module
from unlinkable.data.outputs import OutputSet, Terminated, same_file, terminate_on_signals
from unlinkable.errors import OutputError


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_nothing_appears_before_commit_and_everything_after(tmp_path):
    with OutputSet() as outputs:
        outputs.text(tmp_path / "a.json", "{}")
        outputs.table(tmp_path / "t.csv", pl.DataFrame({"x": ["1", None]}), delimiter=";")
        assert not (tmp_path / "a.json").exists() and not (tmp_path / "t.csv").exists()
        assert [p.name for p in outputs.commit()] == ["a.json", "t.csv"]
    assert (tmp_path / "a.json").read_text() == "{}"
    assert (tmp_path / "t.csv").read_text() == "x\n1\n\n"
    assert leftovers(tmp_path) == []


def test_a_failing_write_leaves_nothing(tmp_path):
    def boom(tmp):
        tmp.write_text("half")
        raise RuntimeError("render failed")

    with pytest.raises(RuntimeError), OutputSet() as outputs:
        outputs.text(tmp_path / "table.csv", "a\n1\n")
        outputs.file(tmp_path / "report.html", boom)
        outputs.commit()
    assert list(tmp_path.iterdir()) == []


def test_leaving_without_commit_removes_temporaries(tmp_path):
    with OutputSet() as outputs:
        outputs.text(tmp_path / "a.json", "{}")
        assert len(leftovers(tmp_path)) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_failed_rename_puts_back_what_was_already_renamed(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("old a")
    (tmp_path / "b.txt").write_text("old b")
    real = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise PermissionError(13, "Permission denied")
        return real(src, dst)

    with OutputSet() as outputs:
        outputs.text(tmp_path / "a.txt", "new a")
        outputs.text(tmp_path / "b.txt", "new b")
        monkeypatch.setattr(outputs_module.os, "replace", replace)
        with pytest.raises(OutputError, match="nothing was written"):
            outputs.commit()
        monkeypatch.setattr(outputs_module.os, "replace", real)
    assert (tmp_path / "a.txt").read_text() == "old a" and (tmp_path / "b.txt").read_text() == "old b"
    assert leftovers(tmp_path) == []


def test_replacing_keeps_no_backup_behind(tmp_path):
    (tmp_path / "a.txt").write_text("old")
    with OutputSet() as outputs:
        outputs.text(tmp_path / "a.txt", "new")
        outputs.commit()
    assert (tmp_path / "a.txt").read_text() == "new" and leftovers(tmp_path) == []


@pytest.mark.parametrize("alias", ["symlink", "dotdot", "hardlink", "same"])
def test_an_output_that_is_an_input_is_refused(tmp_path, alias):
    data = tmp_path / "data.csv"
    data.write_text("a\n1\n")
    (tmp_path / "sub").mkdir()
    target = {"same": data, "dotdot": tmp_path / "sub" / ".." / "data.csv",
              "symlink": tmp_path / "link.csv", "hardlink": tmp_path / "hard.csv"}[alias]
    if alias == "symlink":
        target.symlink_to(data)
    if alias == "hardlink":
        os.link(data, target)
    with OutputSet(inputs=[data]) as outputs, pytest.raises(OutputError, match="is an input"):
        outputs.reserve(target)
    with OutputSet(inputs=[data]) as outputs, pytest.raises(OutputError, match="is an input"):
        outputs.text(target, "overwritten")
    assert data.read_text() == "a\n1\n"


def test_two_outputs_on_one_file_are_refused(tmp_path):
    with OutputSet() as outputs, pytest.raises(OutputError, match="two outputs"):
        outputs.reserve(tmp_path / "r.json", tmp_path / "." / "r.json")
    with OutputSet() as outputs, pytest.raises(OutputError, match="two outputs"):
        outputs.text(tmp_path / "r.json", "1")
        outputs.text(tmp_path / "x" / ".." / "r.json", "2")


@pytest.mark.parametrize("where, message", [("folder", "is a folder"), ("under_file", "is not a folder"),
                                            ("deep_under_file", "is not a folder")])
def test_impossible_locations_are_refused_up_front(tmp_path, where, message):
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("x")
    target = {"folder": tmp_path / "folder", "under_file": tmp_path / "file" / "r.json",
              "deep_under_file": tmp_path / "file" / "a" / "r.json"}[where]
    with OutputSet() as outputs, pytest.raises(OutputError, match=message):
        outputs.reserve(target)


def test_a_missing_folder_is_refused_before_anything_is_written(tmp_path):
    with OutputSet() as outputs:
        outputs.text(tmp_path / "ok.json", "{}")
        with pytest.raises(OutputError, match=r"(?s)b: no such folder \(output r.json\).*mkdir -p .*/a/b"):
            outputs.text(tmp_path / "a" / "b" / "r.json", "{}")
    assert list(tmp_path.iterdir()) == []
    with OutputSet() as outputs, pytest.raises(OutputError, match="no such folder"):
        outputs.reserve(tmp_path / "a" / "r.json")
    with OutputSet() as outputs, pytest.raises(OutputError, match="no such folder"):
        outputs.stage_folder(tmp_path / "a")
    assert list(tmp_path.iterdir()) == []


def test_stage_folder_is_removed_with_the_set(tmp_path):
    with OutputSet() as outputs:
        work = outputs.stage_folder(tmp_path)
        (work / "x.csv").write_text("a\n")
        outputs.adopt(tmp_path / "x.csv", work / "x.csv")
    assert list(tmp_path.iterdir()) == []
    with OutputSet() as outputs:
        work = outputs.stage_folder(tmp_path)
        (work / "x.csv").write_text("a\n")
        outputs.adopt(tmp_path / "x.csv", work / "x.csv")
        outputs.commit()
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def _to_main_thread(signum: int) -> None:
    """Send ``signum`` to the main thread. os.kill lets the kernel pick any thread, and when a thread that
    never runs Python (polars' pool) takes it, CPython 3.11 notices only at the main thread's next GIL
    switch: the test would then race the end of the block it tests."""
    signal.pthread_kill(threading.main_thread().ident, signum)


def test_sigterm_becomes_terminated_and_the_handler_is_restored():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated) as caught, terminate_on_signals():
        _to_main_thread(signal.SIGTERM)
        for _ in range(1000):  # the handler runs between bytecodes
            pass
    assert caught.value.signum == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) == before


def test_same_file():
    assert same_file("/tmp", "/tmp/../tmp")
    assert not same_file("/tmp/a-file-that-is-not-there", "/tmp/another")


def test_a_signal_during_the_renames_is_held_until_they_are_done(tmp_path, monkeypatch):
    real = os.replace

    def replace(src, dst):
        if str(dst).endswith("a.txt"):
            # The handler in place is called as the interpreter would on a SIGINT: whether and when a
            # real signal reaches it depends on the thread the kernel picks and on the machine's load
            # (test_interrupt.py sends real ones to real processes).
            signal.getsignal(signal.SIGINT)(signal.SIGINT, None)  # held back: b.txt is still renamed
        return real(src, dst)

    with OutputSet() as outputs:
        outputs.text(tmp_path / "a.txt", "a")
        outputs.text(tmp_path / "b.txt", "b")
        monkeypatch.setattr(outputs_module.os, "replace", replace)
        with pytest.raises(KeyboardInterrupt) as caught:
            outputs.commit()
    assert caught.value.after_commit and caught.value.signum == signal.SIGINT
    assert (tmp_path / "a.txt").read_text() == "a" and (tmp_path / "b.txt").read_text() == "b"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["t.csv", "t.parquet"])
def test_a_background_table_is_the_same_file_and_waited_for(tmp_path, name):
    frame = pl.DataFrame({"x": ["1", None, "a;b"], "y": ["é", "2", "3"]})
    with OutputSet() as outputs:
        outputs.table(tmp_path / f"fg_{name}", frame, delimiter=";")
        outputs.table(tmp_path / name, frame, delimiter=";", background=True)
        outputs.commit()
    assert (tmp_path / name).read_bytes() == (tmp_path / f"fg_{name}").read_bytes()
    assert leftovers(tmp_path) == []


def test_a_failing_background_write_is_an_output_error_and_leaves_nothing(tmp_path):
    class Full:
        def write_csv(self, target, **_):
            target.write(b"half")
            raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="t.csv: cannot be written: No space left on device"), OutputSet() as outputs:
        outputs.text(tmp_path / "a.json", "{}")
        outputs.table(tmp_path / "t.csv", Full(), background=True)
        outputs.commit()
    assert list(tmp_path.iterdir()) == []


def test_leaving_while_the_background_writer_runs_leaves_nothing(tmp_path):
    started, release = threading.Event(), threading.Event()

    class Slow:
        def write_csv(self, target, **_):
            target.write(b"part")
            started.set()
            release.wait(10)
            target.write(b" rest")

    with pytest.raises(RuntimeError), OutputSet() as outputs:
        outputs.table(tmp_path / "t.csv", Slow(), background=True)
        assert started.wait(10)
        raise RuntimeError("the verifier refused")
    assert list(tmp_path.iterdir()) == []  # the open temporary file is already unlinked
    release.set()
