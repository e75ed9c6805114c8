"""One vocabulary for the parameters of every model, metric, SDC step, search and risk function.

A parameter is declared with a constraint and checked once, where a value enters (a job file, a
CLI flag or a Python call). Every failure is worded by one template::

    <owner>: the 'k' parameter must be a whole number >= 1, got 0

so a job file, the CLI and the Python API give the same message for the same mistake. The
constraints are small frozen values: :class:`Interval` (whole numbers or real numbers between
bounds, open or closed), :class:`OneOf` (a fixed set of words), :class:`Boolean`, :class:`Text`,
:class:`Names` (a list of column names) and :class:`AnyOf` (the first of several that fits).
``check_keys`` words an unknown key with a "did you mean" hint; ``check_int`` and ``check_float``
are the two most common intervals as functions.

This module sits at the bottom of the package beside ``errors.py``: it imports nothing else of
unlinkable, so every layer may use it.
"""

from __future__ import annotations

import math
import os
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from unlinkable.errors import ConfigError, did_you_mean, shown

__all__ = ["Constraint", "Interval", "OneOf", "Boolean", "Text", "FilePath", "Names", "AnyOf", "Optional", "Rule", "Mismatch", "check",
           "check_int", "check_float", "check_keys", "check_section", "message"]


class Mismatch(ValueError):
    """A value that does not meet a constraint (turned into a ConfigError by :func:`check`)."""


class Constraint(ABC):
    """What a parameter's value must be: described in words, and converted to its clean form."""

    @abstractmethod
    def describe(self) -> str:
        """The words after "must be", e.g. ``a whole number >= 1``."""

    @abstractmethod
    def convert(self, value: Any) -> Any:
        """The clean value, or raise :class:`Mismatch`."""

    def hint(self) -> str:
        return f"use {self.describe()}"


def _g(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


@dataclass(frozen=True)
class Interval(Constraint):
    """A whole (``kind=int``) or real (``kind=float``) number between ``low`` and ``high``.

    ``closed`` says which bounds belong to the interval: ``"both"``, ``"left"``, ``"right"`` or
    ``"neither"``. NaN and booleans never fit; infinity fits only an unbounded side of a float
    interval that asks for it (``finite=False``).

    Examples
    --------
    >>> Interval(int, 1, None).describe()
    'a whole number >= 1'
    >>> Interval(float, 0, 1, closed="right").describe()
    'a number in (0, 1]'
    >>> Interval(float, 0, 1).convert(0.5)
    0.5
    """

    kind: type = float
    low: float | None = None
    high: float | None = None
    closed: str = "both"
    finite: bool = False

    def describe(self) -> str:
        bounded = self.low is not None and self.high is not None
        noun = "a whole number" if self.kind is int else ("a finite number" if self.finite and not bounded else "a number")
        lo_in = self.closed in ("both", "left")
        hi_in = self.closed in ("both", "right")
        if self.low is not None and self.high is not None:
            return f"{noun} in {'[' if lo_in else '('}{_g(self.low)}, {_g(self.high)}{']' if hi_in else ')'}"
        if self.low is not None:
            return f"{noun} {'>=' if lo_in else '>'} {_g(self.low)}"
        if self.high is not None:
            return f"{noun} {'<=' if hi_in else '<'} {_g(self.high)}"
        return noun

    def convert(self, value: Any) -> Any:
        if isinstance(value, bool):
            raise Mismatch(self.describe())
        number: float | int
        if self.kind is int:
            # Python and numpy integers, and floats that are whole (YAML writes 5.0 for 5)
            if isinstance(value, (int, np.integer)):
                clean: Any = int(value)
                number = clean
            elif isinstance(value, (float, np.floating)) and float(value).is_integer():
                number = float(value)
                clean = int(number)
            else:
                raise Mismatch(self.describe())
        else:
            if not isinstance(value, (int, float, str)) and type(value).__module__ != "numpy":
                raise Mismatch(self.describe())
            try:
                number = float(value)
            except (TypeError, ValueError, OverflowError):
                raise Mismatch(self.describe()) from None
            # a number keeps its type (5 stays 5 in a step summary); text is read as a float
            clean = number if isinstance(value, str) else value
        if number != number or (self.finite and isinstance(number, float) and math.isinf(number)):
            raise Mismatch(self.describe())
        lo_in = self.closed in ("both", "left")
        hi_in = self.closed in ("both", "right")
        if self.low is not None and (number < self.low or (number == self.low and not lo_in)):
            raise Mismatch(self.describe())
        if self.high is not None and (number > self.high or (number == self.high and not hi_in)):
            raise Mismatch(self.describe())
        return clean


@dataclass(frozen=True)
class OneOf(Constraint):
    """One of a fixed set of values (words, usually).

    Examples
    --------
    >>> OneOf(("optimal", "heuristic")).describe()
    "one of 'optimal', 'heuristic'"
    """

    options: tuple[Any, ...]

    def describe(self) -> str:
        return "one of " + ", ".join(repr(o) for o in self.options)

    def convert(self, value: Any) -> Any:
        try:
            if value in self.options and not isinstance(value, bool):
                return value
        except TypeError:
            pass
        raise Mismatch(self.describe())



@dataclass(frozen=True)
class Boolean(Constraint):
    """``true`` or ``false`` (never 0/1 or a word)."""

    def describe(self) -> str:
        return "true or false"

    def convert(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise Mismatch(self.describe())
        return value


@dataclass(frozen=True)
class Text(Constraint):
    """A non-empty string."""

    what: str = "a non-empty string"

    def describe(self) -> str:
        return self.what

    def convert(self, value: Any) -> str:
        if not isinstance(value, str) or not value:
            raise Mismatch(self.describe())
        return value


@dataclass(frozen=True)
class FilePath(Constraint):
    """A file's path: non-empty text (or an ``os.PathLike``) without a NUL byte, as text.

    Examples
    --------
    >>> check("people.csv", FilePath(), "subset")
    'people.csv'
    >>> check("", FilePath(), "subset", owner="k-map")
    Traceback (most recent call last):
    ...
    unlinkable.errors.ConfigError: k-map: the 'subset' parameter must be a file path, got ''...
    """

    def describe(self) -> str:
        return "a file path"

    def convert(self, value: Any) -> str:
        text = os.fspath(value) if isinstance(value, os.PathLike) else value
        if not isinstance(text, str) or not text.strip() or "\0" in text:
            raise Mismatch(self.describe())
        return text


@dataclass(frozen=True)
class Names(Constraint):
    """A non-empty list of distinct column names (one name alone reads as a list of one)."""

    def describe(self) -> str:
        return "a non-empty list of distinct column names"

    def convert(self, value: Any) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or not value or not all(isinstance(v, str) and v for v in value):
            raise Mismatch(self.describe())
        if len(set(value)) != len(value):
            raise Mismatch(self.describe())
        return list(value)


@dataclass(frozen=True)
class Optional(Constraint):
    """``None`` (null in a job file), or a value meeting ``inner``."""

    inner: Constraint

    def describe(self) -> str:
        return self.inner.describe()

    def convert(self, value: Any) -> Any:
        return None if value is None else self.inner.convert(value)


@dataclass(frozen=True)
class Rule(Constraint):
    """A shape no other constraint says: ``convert`` returns the clean value or raises ``ValueError``.

    Examples
    --------
    >>> even = Rule("an even whole number", lambda v: v if isinstance(v, int) and v % 2 == 0 else None)
    >>> check(3, even, "n")
    Traceback (most recent call last):
    ...
    unlinkable.errors.ConfigError: the 'n' parameter must be an even whole number, got 3...
    """

    what: str
    function: Any

    def describe(self) -> str:
        return self.what

    def convert(self, value: Any) -> Any:
        try:
            clean = self.function(value)
        except (ValueError, TypeError):
            raise Mismatch(self.what) from None
        if clean is None:
            raise Mismatch(self.what)
        return clean


@dataclass(frozen=True)
class AnyOf(Constraint):
    """The first of several constraints that the value meets.

    Examples
    --------
    >>> AnyOf((Interval(int, 2, None), Names())).describe()
    'a whole number >= 2 or a non-empty list of distinct column names'
    """

    choices: tuple[Constraint, ...]

    def describe(self) -> str:
        return " or ".join(c.describe() for c in self.choices)

    def convert(self, value: Any) -> Any:
        for choice in self.choices:
            try:
                return choice.convert(value)
            except Mismatch:
                continue
        raise Mismatch(self.describe())


def message(name: str, described: str, value: Any, owner: str | None = None) -> str:
    """The one wording of a bad parameter value.

    Examples
    --------
    >>> message("k", "a whole number >= 1", 0, "k-anonymity")
    "k-anonymity: the 'k' parameter must be a whole number >= 1, got 0"
    """
    where = f"{owner}: " if owner else ""
    return f"{where}the {name!r} parameter must be {described}, got {shown(value)}"


def check(value: Any, constraint: Constraint, name: str, *, owner: str | None = None, hint: str | None = None) -> Any:
    """``value`` converted by ``constraint``, or a ConfigError worded by :func:`message`.

    Examples
    --------
    >>> check("5", Interval(float, 0, None), "noise")
    5.0
    >>> check(0, Interval(int, 1, None), "k", owner="k-anonymity")
    Traceback (most recent call last):
    ...
    unlinkable.errors.ConfigError: k-anonymity: the 'k' parameter must be a whole number >= 1, got 0...
    """
    try:
        return constraint.convert(value)
    except Mismatch:
        text = hint
        if text is None and isinstance(constraint, OneOf) and isinstance(value, str):
            text = (did_you_mean(value, [str(o) for o in constraint.options]).strip() + f" use {constraint.describe()}").strip()
        raise ConfigError(message(name, constraint.describe(), value, owner), hint=text or constraint.hint()) from None


def check_int(value: Any, name: str, *, low: int | None = None, high: int | None = None, owner: str | None = None) -> int:
    """A whole number in [low, high], or a ConfigError worded by :func:`message`.

    Examples
    --------
    >>> check_int(5.0, "k", low=1)
    5
    """
    return int(check(value, Interval(int, low, high), name, owner=owner))


def check_float(value: Any, name: str, *, low: float | None = None, high: float | None = None,
                low_open: bool = False, high_open: bool = False, owner: str | None = None) -> float:
    """A number in the given range, or a ConfigError worded by :func:`message`.

    Examples
    --------
    >>> check_float("0.5", "t", low=0.0, high=1.0)
    0.5
    """
    closed = {(False, False): "both", (False, True): "left", (True, False): "right", (True, True): "neither"}[(low_open, high_open)]
    return float(check(value, Interval(float, low, high, closed), name, owner=owner))


def check_keys(given: Mapping[Any, Any], allowed: Sequence[str], where: str, *, noun: str = "key") -> None:
    """Raise a ConfigError naming the first key of ``given`` not in ``allowed``, with a "did you mean" hint.

    Examples
    --------
    >>> check_keys({"supression_limit": 0}, ["suppression_limit", "metric"], "the job file")
    Traceback (most recent call last):
    ...
    unlinkable.errors.ConfigError: the job file: unknown key 'supression_limit'...did you mean 'suppression_limit'?...
    """
    for key in given:
        if key not in allowed:
            raise ConfigError(f"{where}: unknown {noun} {shown(key)}",
                              hint=f"{did_you_mean(key, allowed).strip() or 'check the spelling;'} "
                                   f"{where} takes {', '.join(allowed)}")


def check_section(value: Any, where: str, keys: Sequence[str], example: str) -> Mapping[str, Any]:
    """A job-file section that must be a mapping with only ``keys`` (``where`` is shown in backticks).

    Examples
    --------
    >>> check_section({"k": 2}, "assess.km", ("k", "m"), "km: {k: 5, m: 2}")
    {'k': 2}
    """
    if not isinstance(value, Mapping):
        raise ConfigError(f"`{where}` must be a mapping, got {shown(value)}", hint=example)
    check_keys(value, keys, f"`{where}`")
    return value
