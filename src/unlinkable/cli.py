"""The ``unlinkable`` command line: argparse in, one command module out.

Each command lives in ``unlinkable/commands/<name>.py`` with ``configure(parser)`` and
``run(args) -> int``. No traceback reaches the user; exit codes:

- 0: done; every output written.
- 2: something the user can fix (``UnlinkableError``), or an environment problem (a folder where
  a file is expected, permissions, a read-only or missing location, a full disk); one line.
- 3: an internal error, "probably a bug".
- 130 (Ctrl-C), 143 (SIGTERM), 129 (SIGHUP): interrupted; nothing was written.
"""

from __future__ import annotations

import argparse
import atexit
import errno
import gc
import importlib
import os
import signal
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

# Before numpy is imported (it reads this once): no transparent huge pages for numpy's arrays. With
# the common "madvise" setting each 2 MiB page of a fresh array may make the kernel compact memory
# first; on a machine whose memory is fragmented that cost the anonymize command on 3M rows about
# 0.8 s of system time (sys 1.6 -> 0.8 s) for no gain in user time. A user's own setting wins.
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

from unlinkable.data.outputs import Terminated, terminate_on_signals  # noqa: E402 - after the setting above
from unlinkable.errors import ConfigError, InternalError, UnlinkableError

COMMANDS = {
    "assess": "how re-identifiable is this table (ARX and sdcMicro risk measures)",
    "anonymize": "transform a table until it satisfies privacy models, with the least loss",
    "exposure": "how much of a release can be joined to an outside table",
    "score": "loss, suppressed records and classes of one transformation (as ARX's getInformationLoss)",
    "schema": "print the JSON Schema of job files (for editors)",
}


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (with a hint), as every other error: exit 2, no usage block.

    Sub-command parsers are of the same class (``add_subparsers`` builds them with the parent's).

    Examples
    --------
    >>> Parser(prog="demo").format_usage().startswith("usage: demo")
    True
    """

    def error(self, message: str) -> NoReturn:
        # argparse quotes the offending word whole; the error tree caps it like every other message
        line = ConfigError(message, hint=f"{self.prog} --help lists the options").one_line()
        self.exit(2, f"error: {line}\n")


class _VersionAction(argparse.Action):
    """``--version``: the installed version is looked up only when asked (importlib.metadata is slow to import)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, default: Any = argparse.SUPPRESS,
                 help: str | None = None) -> None:
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        parser.exit(message=f"unlinkable {_version()}\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``command`` given, only that command's module is imported.

    A run imports only what its command uses: the other sub-commands are still listed (for
    ``--help`` and error messages) but their modules, and everything they import, are not loaded.
    """
    parser = Parser(prog="unlinkable", description="Measure and remove re-identification and linkage risk in tables of personal data.")
    parser.add_argument("--version", action=_VersionAction, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        if command is not None and name != command:
            sub.add_parser(name, help=help_text, description=help_text)
            continue
        module = importlib.import_module(f"unlinkable.commands.{name}")
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        module.configure(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def _requested(argv: Sequence[str]) -> str | None:
    """The sub-command named by ``argv`` (its first non-option word), if it is a known one."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("unlinkable")
    except PackageNotFoundError:
        return "0+unknown"


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_requested(words))
    args = parser.parse_args(words)
    if not getattr(args, "_run", None):
        parser.error(f"a command is required: {', '.join(COMMANDS)}")
    return run_guarded(lambda: args._run(args))


def console() -> NoReturn:
    """The ``unlinkable`` command (and ``python -m unlinkable``): :func:`main`, then exit at once.

    The work is done and every output is in place when :func:`main` returns; what remains of a
    normal exit is the interpreter freeing every object one by one, about 0.1 s after a run on
    3M rows. So the registered exit handlers run (logging's flush, a Spark session's stop), the
    standard streams are flushed, and the process ends without that teardown.
    """
    # The collector, tuned for one command in its own process (not for library use): the modules
    # imported so far (numpy, polars, the package's core) live as long as the process, so they are
    # frozen out of full collections; and a young collection every 10,000 allocations, not 700,
    # leaves the short-lived containers of imports and the search to reference counting. Together
    # about 0.1-0.25 s less of the anonymize command on 3M rows (0.3 s -> 0.04 s in the collector).
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    # The job's table is read on a second thread while the job is imported and validated (about
    # 0.3 s of a run on 3M rows); the validated job takes that read only if it asks for exactly it.
    from unlinkable.jobs.first_read import start_first_read

    start_first_read(sys.argv[1:])
    code = main()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said on it
            pass
    os._exit(code)


def run_guarded(call: Callable[[], int | None]) -> int:
    """Run ``call`` and turn every way it can end into an exit code and at most one line on stderr.

    Examples
    --------
    >>> run_guarded(lambda: 0)
    0
    """
    try:
        with terminate_on_signals(), warnings.catch_warnings():
            warnings.showwarning = _one_line_warning
            return int(call() or 0)
    except InternalError as exc:
        print(f"error: {exc.one_line()}", file=sys.stderr)
        return 3
    except UnlinkableError as exc:
        print(f"error: {exc.one_line()}", file=sys.stderr)
        return 2
    except Terminated as exc:
        if exc.after_commit:
            print(f"interrupted ({signal_name(exc.signum)}) after every output was written", file=sys.stderr)
        elif exc.signum == signal.SIGINT:
            print("interrupted: nothing was written", file=sys.stderr)
        else:
            print(f"terminated ({signal_name(exc.signum)}): nothing was written", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    except MemoryError:
        print("error: out of memory (hint: use a smaller input, or a machine with more memory)", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {environment_problem(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - last resort: a bug, reported without a traceback
        bug = InternalError(f"unexpected {type(exc).__name__}: {exc}")
        print(f"error: {bug.one_line()}", file=sys.stderr)
        return 3


def _one_line_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                      file: Any = None, line: str | None = None) -> None:
    """A warning on one line of stderr (Python's own format adds the file, line and source code)."""
    print(f"warning: {message}", file=sys.stderr)


_OS_HINTS = {
    errno.EISDIR: "give a file, not a folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.ENOENT: "check the path",
    errno.EACCES: "check the permissions, or choose another location",
    errno.EPERM: "check the permissions, or choose another location",
    errno.EROFS: "the location is read-only; choose another one",
    errno.ENOSPC: "free some disk space, or choose another location",
}


def environment_problem(exc: OSError) -> str:
    """An operating-system error (a folder where a file is expected, permissions, a full disk) on one line.

    Examples
    --------
    >>> environment_problem(IsADirectoryError(21, "Is a directory", "data"))
    'data: is a directory (hint: give a file, not a folder)'
    """
    where = f"{exc.filename}: " if exc.filename is not None else ""
    what = (exc.strerror or type(exc).__name__).lower()
    hint = _OS_HINTS.get(exc.errno or 0, "check the path and its permissions")
    return f"{where}{what} (hint: {hint})"


def signal_name(signum: int) -> str:
    return signal.Signals(signum).name


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
