"""What a long run is doing, on the terminal: each phase (read, encode, search, risk, verify, write).

Progress is shown only where a person watches: on stderr when it is a terminal, and never under
pytest, unless forced with ``UNLINKABLE_PROGRESS=1`` (``0`` silences it everywhere) or the
``enabled`` argument. It says what is known and nothing more: FLASH cannot know how many
transformations it will check, so the search shows the transformations checked and pruned so far,
never a percentage or an estimated time left. Nothing here changes a result.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # rich is imported when a phase is first shown (it is slow to import)
    from rich.console import Console
    from rich.live import Live

__all__ = ["PHASES", "Progress", "progress_enabled"]

#: the phases of a run, in order (a command shows those it has)
PHASES = ("read", "encode", "search", "risk", "verify", "write")

_ENV = "UNLINKABLE_PROGRESS"


def progress_enabled(stream: Any = None) -> bool:
    """Whether progress should be shown on ``stream`` (default stderr).

    Examples
    --------
    >>> import io, os
    >>> os.environ["UNLINKABLE_PROGRESS"] = "0"
    >>> progress_enabled(io.StringIO())
    False
    >>> del os.environ["UNLINKABLE_PROGRESS"]
    """
    forced = os.environ.get(_ENV, "").strip().lower()
    if forced in ("1", "true", "yes", "always"):
        return True
    if forced in ("0", "false", "no", "never"):
        return False
    if "PYTEST_CURRENT_TEST" in os.environ:
        return False
    stream = sys.stderr if stream is None else stream
    return bool(getattr(stream, "isatty", lambda: False)())


class Progress:
    """Phase lines and a live search count on stderr; silent when not enabled.

    Parameters
    ----------
    enabled : bool, optional
        Show progress; by default :func:`progress_enabled` decides.
    stream : file-like, optional
        Where to write (default ``sys.stderr``).

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> p = Progress(enabled=True, stream=out)
    >>> with p.phase("search"):
    ...     p.search(checked=12, pruned=30)
    >>> "search: 12 checked, 30 pruned" in out.getvalue()
    True
    """

    def __init__(self, *, enabled: bool | None = None, stream: Any = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.enabled = progress_enabled(self.stream) if enabled is None else bool(enabled)
        self._console: Console | None = None
        self._status: Live | None = None
        self._counts: tuple[int, int | None] | None = None
        self._last = 0.0
        self._label: str | None = None
        self._started = 0.0

    def _rich(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(file=self.stream, highlight=False, soft_wrap=True)
        return self._console

    @contextmanager
    def phase(self, name: str, detail: str = "") -> Iterator[Progress]:
        """Show ``name`` while the block runs, then one line with its duration (none if it failed)."""
        self.begin(name, detail)
        try:
            yield self
        except BaseException:
            self.abort()
            raise
        self.end()

    def begin(self, name: str, detail: str = "") -> None:
        """Start a phase (ending the current one, if any, as done)."""
        self.end()
        if not self.enabled:
            return
        console = self._rich()
        self._label = f"{name} {detail}".strip()
        self._counts = None
        self._started = time.perf_counter()
        if console.is_terminal:
            from rich.live import Live
            from rich.text import Text

            # No refresh thread: the line is redrawn only when there is news, and a phase that
            # ends by an exception leaves no thread behind.
            self._status = Live(Text(f"{self._label} \u2026"), console=console, auto_refresh=False, transient=True)
            self._status.start(refresh=True)

    def end(self) -> None:
        """End the current phase as done: one line with what it did and how long it took."""
        if self._label is None:
            return
        label, seconds = self._label, time.perf_counter() - self._started
        self.abort()
        self._rich().print(f"\u2713 {label}{self._counts_text()} ({seconds:.1f} s)")
        self._counts = None

    def abort(self) -> None:
        """Stop showing the current phase without a line (it failed; the error says why)."""
        if self._status is not None:
            self._status.stop()
            self._status = None
        self._label = None

    def search(self, checked: int, pruned: int | None = None) -> None:
        """Record the search's counts so far (``pruned`` None when the search does not prune)."""
        if not self.enabled:
            return
        self._counts = (int(checked), None if pruned is None else int(pruned))
        now = time.perf_counter()
        if self._status is not None and now - self._last > 0.1:  # a terminal redraw costs more than a check
            self._last = now
            from rich.text import Text

            self._status.update(Text(f"{self._label}{self._counts_text()} \u2026"), refresh=True)

    def _counts_text(self) -> str:
        if self._counts is None:
            return ""
        checked, pruned = self._counts
        text = f": {checked:,} checked"
        return text + (f", {pruned:,} pruned" if pruned is not None else "")
