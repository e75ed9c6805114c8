"""A tiny evaluator for the subset of R that sdcMicro's testthat files use to build their test data.

Used only by ``extract_sdcmicro_cases.py``: the peer tests build small tables from literals and from
R's default random generator (``set.seed`` + ``runif``), and the extraction stores the resulting table
as data. Supported: numbers, strings, ``NA``, ``TRUE``/``FALSE``, ``c``, ``a:b``, ``runif``, ``round``,
``array``, ``cbind``, ``data.frame``, ``as.data.frame``, ``as.factor``/``as.numeric``/``factor``,
``rep``, ``paste0``, ``LETTERS``, ``colnames<-``, ``x[i, j] <- NA``, ``x[i] <- NA``, ``x[, j]`` and
``set.seed``. Anything else raises ``Unsupported``.

R's random numbers come from ``tests/peers/sdcmicro/r_random.py`` (``set.seed``, ``runif``, ``rnorm``,
``rlnorm`` and ``sample`` bit for bit as R >= 3.6).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "peers" / "sdcmicro"))
from r_random import RRandom  # noqa: E402  (R's generator, shared with the peer tests)


class Unsupported(Exception):
    """The R code uses something outside this subset."""


@dataclass
class Frame:
    """A matrix or data frame: named columns (lists, None = NA) and which columns are factors."""

    names: list[str]
    columns: list[list]
    factors: set[str] = field(default_factory=set)

    def col(self, j) -> list:
        if isinstance(j, str):
            return self.columns[self.names.index(j)]
        return self.columns[int(j) - 1]


# ---------------------------------------------------------------------------------------------
# tokens and parser
# ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"""\s*(?:(?P<num>\d+\.?\d*(?:[eE][-+]?\d+)?L?|\.\d+)|(?P<str>"[^"]*"|'[^']*')|"""
                    r"""(?P<name>[A-Za-z_.][A-Za-z0-9_.]*)|(?P<op><-|==|!=|<=|>=|[-+*/^:,()\[\]=$@<>!]))""")


def tokenize(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise Unsupported(f"cannot read R near {text[pos:pos + 20]!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


class Parser:
    def __init__(self, tokens):
        self.t, self.i = tokens, 0

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if value is not None and tok[1] != value:
            raise Unsupported(f"expected {value!r}, got {tok[1]!r}")
        self.i += 1
        return tok

    def expr(self):
        left = self.additive()
        while self.peek()[1] in ("==", "!=", "<", ">", "<=", ">="):
            op = self.take()[1]
            left = ("call", op, [(None, left), (None, self.additive())])
        return left

    def additive(self):
        left = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            left = ("call", op, [(None, left), (None, self.term())])
        return left

    def term(self):
        left = self.range_()
        while self.peek()[1] in ("*", "/"):
            op = self.take()[1]
            left = ("call", op, [(None, left), (None, self.range_())])
        return left

    def range_(self):
        left = self.unary()
        if self.peek()[1] == ":":
            self.take()
            left = ("call", ":", [(None, left), (None, self.unary())])
        return left

    def unary(self):
        if self.peek()[1] == "-":
            self.take()
            return ("call", "neg", [(None, self.unary())])
        return self.postfix()

    def postfix(self):
        node = self.atom()
        while True:
            tok = self.peek()[1]
            if tok == "(":
                node = ("call", node[1] if node[0] == "name" else node, self.args(")"))
            elif tok == "[":
                node = ("index", node, self.args("]"))
            elif tok in ("$", "@"):
                self.take()
                node = ("dollar", node, self.take()[1])
            else:
                return node

    def args(self, close):
        self.take()
        out = []
        while self.peek()[1] != close:
            if self.peek()[1] == ",":
                out.append((None, None))  # empty argument, as in x[, 1]
                self.take()
                continue
            name = None
            if self.peek()[0] in ("name", "str") and self.i + 1 < len(self.t) and self.t[self.i + 1][1] == "=":
                name = self.take()[1].strip("\"'")
                self.take("=")
            out.append((name, self.expr()))
            if self.peek()[1] == ",":
                self.take()
                if self.peek()[1] == close:
                    out.append((None, None))
        self.take(close)
        return out

    def atom(self):
        kind, value = self.take()
        if kind == "num":
            return ("num", float(value.rstrip("L")))
        if kind == "str":
            return ("str", value[1:-1])
        if kind == "name":
            return ("name", value)
        if value == "(":
            node = self.expr()
            self.take(")")
            return node
        raise Unsupported(f"unexpected {value!r}")


def parse(text: str):
    p = Parser(tokenize(text))
    node = p.expr()
    if p.i != len(p.t):
        raise Unsupported(f"trailing R code in {text!r}")
    return node


# ---------------------------------------------------------------------------------------------
# evaluation
# ---------------------------------------------------------------------------------------------


def _vec(x) -> list:
    if isinstance(x, list):
        return x
    if isinstance(x, Frame):
        return [v for c in x.columns for v in c]
    return [x]


def _num(x):
    return None if x is None else float(x)


def _r_round(values, digits):
    # R rounds half to even at digits = 0 (nearbyint); the test data only use digits = 0
    if digits != 0:
        raise Unsupported("round with digits != 0 in data construction")
    return [None if v is None else float(np.rint(v)) for v in values]


class Session:
    """Variables and the random generator of one R script."""

    def __init__(self, datasets: dict | None = None) -> None:
        self.vars: dict = {"NA": None, "NULL": None, "NA_real_": None, "TRUE": True, "FALSE": False,
                           "LETTERS": [chr(c) for c in range(65, 91)],
                           "letters": [chr(c) for c in range(97, 123)]}
        self.rng = RRandom()
        self.datasets = datasets or {}

    # statements -----------------------------------------------------------------------------

    def run(self, statement: str) -> None:
        s = statement.strip()
        if (not s or s.startswith("#") or s.startswith("library(") or s.startswith("require(")
                or s.startswith("testthat::skip_if_not_installed(")):
            return
        m = re.fullmatch(r"set\.seed\((\d+)\)", s)
        if m:
            self.rng.set_seed(int(m.group(1)))
            return
        m = re.fullmatch(r"data\([\"']?(\w+)[\"']?(?:,.*)?\)", s)
        if m:
            self.vars[m.group(1)] = ("dataset", m.group(1))
            return
        m = re.fullmatch(r"colnames\((\w+)\)\s*<-\s*(.+)", s, re.S)
        if m:
            frame = self.vars[m.group(1)]
            frame.names = [str(v) for v in _vec(self.eval(parse(m.group(2))))]
            return
        m = re.fullmatch(r"(\w+)\s*<-\s*~\s*([\w.+:\s]+)", s)
        if m:  # a model formula: its terms
            self.vars[m.group(1)] = ("formula", [t.strip() for t in m.group(2).split("+")])
            return
        m = re.fullmatch(r"(\w+)\s*<-\s*(.+)", s, re.S)
        if m:
            self.vars[m.group(1)] = self.eval(parse(m.group(2)))
            return
        m = re.fullmatch(r"(\w+)\[(.*)\]\s*<-\s*(.+)", s, re.S)
        if m:
            self.assign_index(m.group(1), m.group(2), m.group(3))
            return
        raise Unsupported(f"statement {s[:60]!r}")

    def assign_index(self, name, index, value_text):
        target = self.vars[name]
        args = Parser(tokenize(f"[{index}]")).args("]")
        value = self.eval(parse(value_text))
        if isinstance(target, list):
            if value is not None:
                raise Unsupported("vector assignment other than NA")
            for i in _vec(self.eval(args[0][1])):
                target[int(i) - 1] = None
            return
        if len(args) == 1 and args[0][0] is None:
            # x[i] <- NA on a matrix: column-major positions
            n = len(target.columns[0])
            for i in _vec(self.eval(args[0][1])):
                i = int(i) - 1
                target.columns[i // n][i % n] = None
            return
        rows = None if args[0][1] is None else [int(i) - 1 for i in _vec(self.eval(args[0][1]))]
        cols = (range(1, len(target.columns) + 1) if args[1][1] is None
                else _vec(self.eval(args[1][1])))
        for c in cols:
            col = target.col(c)
            if value is None:
                for r in (range(len(col)) if rows is None else rows):
                    col[r] = None
            elif isinstance(value, tuple) and value[0] == "factor" and rows is None:
                key = c if isinstance(c, str) else target.names[int(c) - 1]
                target.factors.add(key)
                col[:] = value[1]  # factor(levels=, labels=) relabels the values
            elif isinstance(value, list) and rows is None and len(value) == len(col):
                col[:] = value  # x[, j] <- as.numeric(x[, j]) and the like
            else:
                raise Unsupported("index assignment other than NA or as.factor")

    # expressions ----------------------------------------------------------------------------

    def eval(self, node):
        kind = node[0]
        if kind in ("num", "str"):
            return node[1]
        if kind == "name":
            if node[1] not in self.vars:
                raise Unsupported(f"unknown variable {node[1]}")
            return self.vars[node[1]]
        if kind == "index":
            base = self.eval(node[1])
            args = node[2]
            if isinstance(base, Frame) and len(args) == 2 and args[0][1] is None:
                return list(base.col(self.eval(args[1][1])))
            if isinstance(base, list) and len(args) == 1:
                return [base[int(i) - 1] for i in _vec(self.eval(args[0][1]))]
            raise Unsupported("indexing form")
        if kind == "call":
            return self.call(node[1], node[2])
        raise Unsupported(f"node {kind}")

    def call(self, fn, args):
        # every argument is evaluated exactly once: a runif() argument draws from the stream
        evaluated = [(n, a, self.eval(a)) for n, a in args if a is not None]
        pos = [v for n, a, v in evaluated if n is None]
        kw = {n: v for n, a, v in evaluated if n is not None}
        if fn == "c":
            out = []
            for _, _, v in evaluated:  # c(age = 2, sex = 1): the names are dropped, the values kept in order
                out.extend(_vec(v))
            return out
        if fn == ":":
            a, b = int(pos[0]), int(pos[1])
            step = 1 if b >= a else -1
            return [float(v) for v in range(a, b + step, step)]
        if fn == "neg":
            return [-v for v in _vec(pos[0])] if isinstance(pos[0], list) else -pos[0]
        if fn == "runif":
            if self.rng._bits is None:
                raise Unsupported("runif before set.seed: R would seed from the clock")
            n = int(pos[0])
            a = float(pos[1]) if len(pos) > 1 else float(kw.get("min", 0.0))
            b = float(pos[2]) if len(pos) > 2 else float(kw.get("max", 1.0))
            return self.rng.runif(n, a, b)
        if fn in ("rnorm", "rlnorm"):
            if self.rng._bits is None:
                raise Unsupported(f"{fn} before set.seed: R would seed from the clock")
            n = int(pos[0])
            loc = float(pos[1]) if len(pos) > 1 else float(kw.get("mean", kw.get("meanlog", 0.0)))
            scale = float(pos[2]) if len(pos) > 2 else float(kw.get("sd", kw.get("sdlog", 1.0)))
            return self.rng.rnorm(n, loc, scale) if fn == "rnorm" else self.rng.rlnorm(n, loc, scale)
        if fn == "sample":
            if self.rng._bits is None:
                raise Unsupported("sample before set.seed: R would seed from the clock")
            values = _vec(pos[0])
            size = int(pos[1]) if len(pos) > 1 else int(kw.get("size", len(values)))
            return self.rng.sample(values, size, bool(kw.get("replace", False)))
        if fn == "round":
            return _r_round(_vec(pos[0]), int(kw.get("digits", pos[1] if len(pos) > 1 else 0)))
        if fn == "array":
            data = _vec(pos[0])
            r, c = (int(v) for v in kw["dim"])
            if len(data) != r * c:
                raise Unsupported("array recycling")
            return Frame([f"V{j + 1}" for j in range(c)], [list(data[j * r:(j + 1) * r]) for j in range(c)])
        if fn == "cbind":
            frame = None
            for n, _a, v in evaluated:
                if isinstance(v, Frame):
                    if frame is not None:
                        raise Unsupported("cbind of two frames")
                    frame = Frame(list(v.names), [list(c) for c in v.columns], set(v.factors))
                else:
                    if isinstance(v, tuple) and v[0] == "factor":
                        # cbind keeps a factor's integer codes (levels sorted)
                        levels = sorted({x for x in v[1] if x is not None})
                        v = [None if x is None else float(levels.index(x) + 1) for x in v[1]]
                    if frame is None:
                        frame = Frame([], [])
                    frame.names.append(n or f"V{len(frame.columns) + 1}")
                    frame.columns.append(list(_vec(v)))
            return frame
        if fn in ("/", "*", "+", "-") and len(pos) == 2 and all(isinstance(v, float) for v in pos):
            a, b = pos
            return a / b if fn == "/" else a * b if fn == "*" else a + b if fn == "+" else a - b
        if fn == "ceiling":
            return [None if v is None else float(np.ceil(v)) for v in _vec(pos[0])] if isinstance(pos[0], list) \
                else float(np.ceil(pos[0]))
        if fn == "length":
            value = pos[0]
            return float(sum(len(c) for c in value.columns)) if isinstance(value, Frame) else float(len(_vec(value)))
        if fn == "character" and not pos:
            return []
        if fn in ("as.data.frame", "unclass", "as.numeric", "suppressWarnings"):
            return pos[0]
        if fn in ("as.factor", "factor"):
            if isinstance(pos[0], list) and not kw:
                return ("factor", pos[0])
            if isinstance(pos[0], list) and set(kw) == {"levels", "labels"}:
                levels, labels = _vec(kw["levels"]), [str(v) for v in _vec(kw["labels"])]
                if len(levels) != len(labels) or labels != sorted(labels):
                    # a Frame keeps the values, whose sorted order must be the levels' order
                    raise Unsupported("factor labels that do not sort like their levels")
                return ("factor", [labels[levels.index(v)] if v in levels else None for v in pos[0]])
            raise Unsupported("factor with levels/labels")
        if fn == "rep":
            return _vec(pos[0]) * int(pos[1] if len(pos) > 1 else kw["times"])
        if fn == "paste0":
            parts = [_vec(p) for p in pos]
            n = max(len(p) for p in parts)
            return ["".join(_fmt(p[i % len(p)]) for p in parts) for i in range(n)]
        if fn == "data.frame":
            names, cols, factors = [], [], set()
            for n, a, v in evaluated:
                if n == "stringsAsFactors":
                    continue  # text columns are kept as text (a factor is marked where factor() is called)
                if n is None and a[0] == "name":
                    n = a[1]  # data.frame(a, b) names the columns after the variables
                if isinstance(v, tuple) and v[0] == "factor":
                    factors.add(n)
                    v = v[1]
                names.append(n)
                cols.append(list(_vec(v)))
            return Frame(names, cols, factors)
        if fn in PEER_FUNCTIONS:
            return PeerCall(fn, pos, kw)
        raise Unsupported(f"function {fn}")


#: sdcMicro functions whose calls are recorded (not evaluated) for the extraction to translate
PEER_FUNCTIONS = {"freqCalc", "indivRisk", "createSdcObj", "topBotCoding", "calcRisks", "globalRecode",
                  "localSuppression", "kAnon", "suda2", "ldiversity", "localSupp", "measure_risk",
                  "rankSwap", "extractManipData", "generateStrata", "modRisk", "riskyCells",
                  "groupAndRename", "recordLinkage", "addNoise"}


@dataclass
class PeerCall:
    """A call to an sdcMicro function, with its arguments evaluated."""

    fn: str
    args: list
    kwargs: dict


def _fmt(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def statements(code: str) -> list[str]:
    """Split R code into top-level statements (newline-separated outside brackets)."""
    out, buf, depth, quote = [], [], 0, None
    for line in code.splitlines():
        stripped = line
        for pos, ch in enumerate(line):
            if quote:
                if ch == quote:
                    quote = None
            elif ch in "\"'":
                quote = ch
            elif ch == "#":
                stripped = line[:pos]  # a comment runs to the end of the line
                break
            elif ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
        buf.append(stripped)
        if depth == 0 and quote is None:
            text = "\n".join(buf).strip()
            if text:
                out.append(text)
            buf = []
    if buf and "\n".join(buf).strip():
        out.append("\n".join(buf).strip())
    return out
