"""All outputs of one run, written whole or not at all.

::

    with OutputSet(inputs=[data, job]) as outputs:
        outputs.table("anonymized.csv", frame)      # staged: a temporary file beside its target
        outputs.text("result.json", text)
        outputs.commit()                            # every target renamed into place, together

A check the outputs must pass (the independent verifier) can run on a second thread while they
are staged (:meth:`OutputSet.check`), and a large table can be written on one
(``table(..., background=True)``): ``commit`` waits for both and renames nothing unless they
passed.
Each output is first written to a hidden temporary file in its target folder, so a failing
write (a full disk, a bad report) happens before any target changes. ``commit`` renames them
all, with SIGINT and SIGTERM held back, and puts back what it already renamed if a rename
fails. Leaving the ``with`` block without a commit (an error, Ctrl-C, SIGTERM) removes every
temporary file: then nothing was written. An output's folder must exist: a missing one is an
error (a mistyped path must not grow a new tree of folders), as is an output that is one of the
run's inputs, or another output, through any path (symlink, ``..``, hard link). All of these are
refused before anything is written.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from unlinkable.data.csv_out import prepare_csv, write_csv
from unlinkable.errors import OutputError

__all__ = ["OutputSet", "Terminated", "terminate_on_signals", "same_file"]


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (or a Ctrl-C held back during a commit), raised like Ctrl-C so every cleanup runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.after_commit = False  # True when it arrived while a commit was renaming (all outputs are written)


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def terminate_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into :class:`Terminated` while the block runs (main thread only).

    A handler someone else installed is left alone.

    Examples
    --------
    >>> with terminate_on_signals():
    ...     pass
    """
    installed: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(signum) == signal.SIG_DFL:
                installed[signum] = signal.signal(signum, _raise_terminated)
    try:
        yield
    finally:
        for number, previous in installed.items():
            signal.signal(number, previous)


@contextlib.contextmanager
def _signals_held(*, after_commit: bool = False, drop: bool = False) -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back while the block runs; then raise the first as :class:`Terminated`.

    Used around each write (polars' CSV writer, interrupted inside, raises twice and leaves its
    file behind), around the renames of a commit (``after_commit``: all outputs are written),
    and around the cleanup (``drop``: an error is already on its way). Python handlers, not a
    signal mask: a signal sent to the process may land on any thread (polars has a pool), but
    its Python handler always runs in the main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, frame: arrived.append(signum))
                for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
                if signal.getsignal(signum) != signal.SIG_IGN}  # an ignored signal stays ignored
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if arrived and not drop:
        stop = Terminated(arrived[0])
        stop.after_commit = after_commit
        raise stop


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether two paths name the same file: same resolved path, or same device and inode.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.csv").write_text("x")
    >>> same_file(d / "a.csv", d / "sub" / ".." / "a.csv"), same_file(d / "a.csv", d / "b.csv")
    (True, False)
    """
    a, b = Path(a), Path(b)
    try:
        if os.path.samefile(a, b):  # symlinks and hard links
            return True
    except OSError:
        pass  # one of them does not exist yet
    return os.path.realpath(a) == os.path.realpath(b)


def _default_mode(*, folder: bool = False) -> int:
    """The mode an ordinary ``open()`` gives a new file (0666 less the umask; 0777 for a folder);
    mkstemp gives 0600, mkdtemp 0700."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if folder else 0o666) & ~umask


def _one_line(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


class OutputSet:
    """The outputs of one run: staged as temporary files, renamed into place together by :meth:`commit`.

    Parameters
    ----------
    inputs : iterable of paths
        Files the run reads (data, job file, hierarchies, auxiliary tables): no output may be one
        of them, through any path. More can be added with :meth:`protect`.

    Raises
    ------
    OutputError
        An output is an input or another output, its folder is missing or cannot be written, it
        is a folder, or writing or renaming it failed. Nothing is written then.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with OutputSet() as outputs:
    ...     _ = outputs.text(d / "a.txt", "first")
    ...     _ = outputs.text(d / "b.txt", "second")
    ...     [p.name for p in outputs.commit()]
    ['a.txt', 'b.txt']
    """

    def __init__(self, *, inputs: Iterable[str | os.PathLike[str]] = ()) -> None:
        self._inputs: list[Path] = []
        self._staged: list[tuple[Path, Path]] = []  # (temporary file, target)
        self._folders: list[Path] = []  # staging folders (see stage_folder)
        self._committed = False
        self._signals: contextlib.ExitStack | None = None
        self._checks: list[_Check] = []
        self.protect(*inputs)

    # -- context: SIGTERM becomes an exception, and leaving without a commit removes everything ---

    def __enter__(self) -> OutputSet:
        self._signals = contextlib.ExitStack()
        self._signals.enter_context(terminate_on_signals())
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            if not self._committed:
                with _signals_held(drop=exc[0] is not None):  # a second Ctrl-C must not stop the cleanup
                    self.discard()
        finally:
            if self._signals is not None:
                self._signals.close()

    # -- staging ---------------------------------------------------------------------------------

    def check(self, run: Callable[[], object]) -> None:
        """Run ``run()`` on a second thread while the outputs are staged; :meth:`commit` waits for
        it and re-raises its error instead of writing anything.

        For the independent verifier: it reads the release while the release is written to its
        temporary file (the two mostly run outside the GIL, on both cores).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> def refuse():
        ...     raise ValueError("no")
        >>> with OutputSet() as outputs:
        ...     _ = outputs.text(d / "a.txt", "first")
        ...     outputs.check(refuse)
        ...     outputs.commit()
        Traceback (most recent call last):
        ...
        ValueError: no
        >>> (d / "a.txt").exists()
        False
        """
        self._checks.append(_Check(run))

    def protect(self, *paths: str | os.PathLike[str] | None) -> None:
        """Add files the run reads; an output that is one of them is an error."""
        self._inputs += [Path(p) for p in paths if p is not None]

    def reserve(self, *paths: str | os.PathLike[str] | None) -> None:
        """Check the outputs a run will stage, before its long work starts (``None`` is skipped).

        The same checks as staging: not an input, not named twice, not a folder, in a folder
        that exists.
        """
        wanted = [Path(p) for p in paths if p is not None]
        for i, target in enumerate(wanted):
            self._check_target(target)
            for other in wanted[:i]:
                if same_file(target, other):
                    raise OutputError(f"{target}: named for two outputs of the run ({other})",
                                      hint="give each output its own file")

    def file(self, path: str | os.PathLike[str], write: Callable[[Path], object]) -> Path:
        """Stage an output: ``write(tmp)`` fills a temporary file beside ``path``; return ``path``."""
        target = self._check_target(Path(path))
        try:
            # From creating the temporary file to its last byte, a signal waits: a temporary file
            # not yet recorded, or a writer stopped inside, would be left behind.
            with _signals_held():
                fd, name = self._mkstemp(target)
                os.close(fd)
                tmp = Path(name)
                self._staged.append((tmp, target))
                write(tmp)
                os.chmod(tmp, _default_mode())
        except OSError as exc:
            raise OutputError(f"{target}: cannot be written: {_one_line(exc)}",
                              hint="check the free space and permissions of its folder") from None
        return target

    def text(self, path: str | os.PathLike[str], text: str) -> Path:
        """Stage a UTF-8 text output (JSON, HTML)."""
        def fill(tmp: Path) -> None:
            with _open_staged(tmp) as handle:
                handle.write(text.encode("utf-8"))

        return self.file(path, fill)

    def table(self, path: str | os.PathLike[str], frame: Any, *, delimiter: str = ",", background: bool = False,
              rows: Callable[[], tuple[Any, int]] | None = None) -> Path:
        """Stage a table as CSV (``\\n`` line ends, quoting only where needed, nulls empty) or Parquet.

        With ``background`` the table is written on a second thread while the run goes on (the
        release is written while its risk is measured and it is verified): :meth:`commit` waits
        for it and raises its error instead of writing anything. The temporary file is created
        and opened here, on the calling thread, so leaving the set removes it even while the
        writer is still filling it (the open file then vanishes with the process). ``rows``: which
        records share a row, claimed by the caller (see :func:`unlinkable.data.csv_out.write_csv`).
        """
        write: Callable[[Any], None]
        if Path(path).suffix.lower() in (".parquet", ".pq"):
            write = frame.write_parquet
        elif background:
            # The distinct rows are grouped and proven here: on the writer's thread that work would
            # wait for the GIL, which the verifier and the risk figures then hold most of the time.
            write = prepare_csv(frame, separator=delimiter, rows=rows)
        else:
            def write(handle: Any) -> None:
                write_csv(frame, handle, separator=delimiter, rows=rows)

        if not background:
            def fill(tmp: Path) -> None:
                with _open_staged(tmp) as handle:
                    write(handle)

            return self.file(path, fill)
        return self.file(path, lambda tmp: self._checks.append(_Check(_writer(_open_staged(tmp), write, path))))

    def folder(self, path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
        """Stage an output that is a folder of part files (Spark's Parquet or CSV parts).

        ``write(tmp)`` fills a hidden temporary folder beside ``path``; the commit renames it into
        place, replacing a folder of an earlier run only when every output is in place. The write
        is not shielded from signals (a distributed job runs long): Ctrl-C stops it, and leaving
        the set removes the temporary folder.
        """
        target = self._check_target(Path(path), folder=True)
        try:
            with _signals_held():  # the temporary folder is recorded before a signal can stop the run
                tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
                self._staged.append((tmp, target))
            write(tmp)
            os.chmod(tmp, _default_mode(folder=True))
        except OSError as exc:
            raise OutputError(f"{target}: cannot be written: {_one_line(exc)}",
                              hint="check the free space and permissions of its folder") from None
        return target

    def reserve_folder(self, path: str | os.PathLike[str] | None) -> None:
        """:meth:`reserve` for an output that will be a folder of parts (see :meth:`folder`)."""
        if path is not None:
            self._check_target(Path(path), folder=True)

    def stage_folder(self, parent: str | os.PathLike[str]) -> Path:
        """A hidden scratch folder inside ``parent``, removed when the set is left.

        For a run whose own steps read what earlier steps wrote (``./run``): they work in the
        scratch folder, and :meth:`adopt` then stages its files for the commit.
        """
        parent = Path(parent)
        self._check_folder(parent, for_what="scratch folder")
        try:
            with _signals_held():  # recorded before a signal can stop the run
                folder = Path(tempfile.mkdtemp(prefix=".unlinkable-", dir=parent))
                self._folders.append(folder)
        except OSError as exc:
            raise OutputError(f"{parent}: cannot write into this folder: {_one_line(exc)}",
                              hint="choose a folder you can write to") from None
        return folder

    def adopt(self, path: str | os.PathLike[str], source: str | os.PathLike[str]) -> Path:
        """Stage an already written file (in a :meth:`stage_folder`) as the output ``path``."""
        return self.file(path, lambda tmp: os.replace(source, tmp))

    # -- the end -----------------------------------------------------------------------------------

    def commit(self) -> list[Path]:
        """Rename every staged output into place, together; return the targets in staging order."""
        if self._committed:
            raise OutputError("outputs already committed", hint="stage all outputs, then commit once")
        for pending in self._checks:
            pending.wait()  # raises the check's error: nothing is renamed then
        with _signals_held(after_commit=True):
            done: list[tuple[Path, Path | None, bool]] = []  # (target, link to the file it replaced, existed)
            for tmp, target in self._staged:
                try:
                    existed, old = target.exists(), self._keep_old(target, folder=tmp.is_dir())
                    os.replace(tmp, target)
                except OSError as exc:
                    if old is not None and not tmp.is_dir():
                        old.unlink(missing_ok=True)
                    elif old is not None:
                        with contextlib.suppress(OSError):
                            os.replace(old, target)  # the earlier run's folder goes back
                    self._put_back(done)
                    self.discard()
                    raise OutputError(f"{target}: cannot be written: {_one_line(exc)}",
                                      hint="nothing was written; check the folder's permissions") from None
                done.append((target, old, existed))
            for _, old, _ in done:
                if old is not None:
                    _remove(old)
            self._committed = True
            self._remove_folders()
        return [target for _, target in self._staged]

    def discard(self) -> None:
        """Remove every temporary file and scratch folder (no target is touched)."""
        for tmp, _ in self._staged:
            with contextlib.suppress(OSError):
                _remove(tmp)
        self._remove_folders()

    # -- helpers -----------------------------------------------------------------------------------

    def _check_target(self, target: Path, *, folder: bool = False) -> Path:
        for source in self._inputs:
            if same_file(target, source):
                raise OutputError(f"{target}: this output is an input of the run ({source})",
                                  hint="write the output to another file; an input is never overwritten")
        for _, other in self._staged:
            if same_file(target, other):
                raise OutputError(f"{target}: named for two outputs of the run ({other})",
                                  hint="give each output its own file")
        if target.is_dir() and not folder:
            raise OutputError(f"{target}: is a folder, not a file", hint="give a file name for this output")
        if folder and target.exists() and not target.is_dir():
            raise OutputError(f"{target}: is a file; this output is a folder of parts",
                              hint="give a folder name (e.g. anonymized.parquet) for the Spark output")
        self._check_folder(target.parent, for_what=f"output {target.name}")
        return target

    @staticmethod
    def _check_folder(folder: Path, *, for_what: str) -> None:
        """``folder`` exists and is a folder; else an error naming the first part of it that is wrong."""
        if folder.is_dir():
            return
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if existing.exists() and not existing.is_dir():
            raise OutputError(f"{existing}: is not a folder ({for_what})", hint="choose another output path")
        raise OutputError(f"{folder}: no such folder ({for_what})",
                          hint=f"create it first: mkdir -p {shlex.quote(str(folder))}")

    @staticmethod
    def _mkstemp(target: Path) -> tuple[int, str]:
        try:
            return tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        except OSError as exc:
            raise OutputError(f"{target.parent}: cannot write into this folder: {_one_line(exc)}",
                              hint="choose a folder you can write to") from None

    @staticmethod
    def _keep_old(target: Path, *, folder: bool = False) -> Path | None:
        """A hard link to the file ``target`` replaces, so a failed commit can put it back (a
        folder is renamed aside instead; it is removed once every output is in place)."""
        if not target.exists():
            return None
        old = Path(f"{target.parent}/.{target.name}.{os.getpid()}.old")
        if folder:
            _remove(old)
            os.replace(target, old)
            return old
        try:
            old.unlink(missing_ok=True)
            os.link(target, old)
        except OSError:
            return None  # no hard links here: a failed commit cannot restore this one
        return old

    @staticmethod
    def _put_back(done: list[tuple[Path, Path | None, bool]]) -> None:
        for target, old, existed in reversed(done):
            with contextlib.suppress(OSError):
                if old is not None:
                    if old.is_dir():
                        _remove(target)
                    os.replace(old, target)
                elif not existed:
                    _remove(target)
                # else: the old file could not be kept (no hard links); the new one stays

    def _remove_folders(self) -> None:
        import shutil  # only ./run uses scratch folders; shutil is slow to import

        for folder in self._folders:
            shutil.rmtree(folder, ignore_errors=True)
        self._folders.clear()


def _open_staged(tmp: Path) -> BinaryIO:
    """The staged temporary file (created empty by ``mkstemp``), opened to be filled.

    Not with ``"wb"``: ext4 marks a file truncated to length 0 (the reopen's ``O_TRUNC``) and, when
    it is closed, allocates its blocks and starts writing it back (``auto_da_alloc``), which took
    0.06-0.12 s for a 250 MB release. A new file is not truncated.
    """
    return open(tmp, "r+b")


def _writer(handle: Any, write: Callable[[Any], None], target: str | os.PathLike[str]) -> Callable[[], None]:
    """What a background writer thread runs: fill the open temporary file, close it; a failed
    write is an :class:`OutputError` naming the output, as on the calling thread."""
    def run() -> None:
        try:
            with handle:
                write(handle)
        except OSError as exc:
            raise OutputError(f"{target}: cannot be written: {_one_line(exc)}",
                              hint="check the free space and permissions of its folder") from None

    return run


class _Check:
    """A check running on its own thread; :meth:`wait` returns when it passed and raises its error
    when it did not. Daemon: a run stopped by Ctrl-C exits without waiting for it."""

    def __init__(self, run: Callable[[], object]) -> None:
        self._run = run
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="unlinkable-check", daemon=True)
        self._thread.start()

    def _main(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # handed to the main thread by wait()
            self._error = exc

    def wait(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


def _remove(path: Path) -> None:
    """Remove a file or a whole folder (a staged folder of parts), if it is there."""
    if path.is_dir() and not path.is_symlink():
        import shutil  # slow to import; only folder outputs need it

        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
