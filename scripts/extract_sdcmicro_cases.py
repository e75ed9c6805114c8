#!/usr/bin/env python3
"""Extract sdcMicro's own testthat cases into tests/peers/sdcmicro/cases.json.

Reads every ``tests/testthat/test_*.R`` of sdcMicro at the mirrored commit (``git show``), one case per
``test_that`` block, including the blocks sdcMicro keeps commented out (``commented_out: true``).
The expected values are read from the R sources, never typed in: literal vectors and numbers are
parsed, and the small tables the tests build (from literals or from R's ``set.seed``/``runif``) are
rebuilt by ``r_subset.py`` and stored as data. A block this script cannot translate is stored as
``status: "marked"`` with the reason; a ported expectation that sdcMicro itself does not meet is
listed in ``PEER_BUGS`` below (the reason is a judgement, so it is written here, and the runner checks
that the expectation really fails as described).

Usage: ``python scripts/extract_sdcmicro_cases.py [--repo /work/.mirror/sdcTools+sdcMicro/repo]``
(the bare git directory that the project's ``fetch`` of ``github:sdcTools/sdcMicro`` gives).
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from r_subset import Frame, PeerCall, Session, Unsupported, parse, statements  # noqa: E402
from record_swap_cases import translate_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "peers" / "sdcmicro" / "cases.json"
DEFAULT_REPO = Path("/work/.mirror/sdcTools+sdcMicro/repo")

#: why whole files cannot be ported (checked by hand; every block of the file gets the reason)
FILE_REASONS = {
    "test_ai_tools.R": "not a disclosure method: sdcMicro's tool-call interface for an LLM agent (JSON tool "
                       "schemas, execute_tool_calls dispatch), R plumbing around its other functions",
    "test_ai_utility.R": "not a disclosure method: ai_utility_score, the objective sdcMicro's LLM agent optimises "
                         "(suppression rate and category loss of two sdcMicroObj), part of its LLM tool interface",
    "test_generateStrata.R": "R helper, not a risk method: generateStrata pastes key values into one text column "
                             "('2-4') to be used as a stratum; unlinkable takes the strata columns themselves",
    "test_microaggregation.R": "not reproducible and R-only: the data are drawn with rnorm before any set.seed (the "
                               "clock seeds R), and the checks are R object identity (the input returned as "
                               "datout$x), dimensions and an R message",
    "test_pram.R": "R-only: the checks compare R object classes (factor vs data.table input, the S3 class 'pram', the "
                   "sdcMicroObj's pram slot) and runs of sdcMicro's own transition-matrix generator (pd, alpha)",
    "test_valTable.R": "R-only: valTable runs every masking method of sdcMicro (pca, clustpppca, swappNum, ...) and "
                       "the tests check only that the result has R class data.frame",
    "test_varToFac.R": "R object-class plumbing: varToFactor switches an sdcMicroObj key variable between R's numeric "
                       "and factor classes and the test checks the class; unlinkable's key variables are always "
                       "categorical",
    "test_varToNum.R": "R object-class plumbing: varToNumeric switches an sdcMicroObj key variable between R's factor "
                       "and numeric classes and the test checks the class; unlinkable's key variables are always "
                       "categorical",
}

_ROUNDED = {"reason": "the expected values are the risks rounded to 8 decimals; their mean relative "
                      "difference from the risks sdcMicro computes exceeds expect_equal's own tolerance 1.5e-8",
            "rounded_to": 8}
#: expectations sdcMicro itself does not meet: (file, line of the test_that, expectation index) -> why.
#: The runner checks each one fails as described (so a fixed peer test shows up).
PEER_BUGS = {
    ("test_indivRisk.R", 12, 0): _ROUNDED,
    ("test_indivRisk.R", 22, 0): _ROUNDED,
    ("test_indivRisk.R", 33, 0): _ROUNDED,
    ("test_indivRisk.R", 43, 0): _ROUNDED,
    ("test_indivRisk.R", 126, 0): _ROUNDED,
    ("test_indivRisk.R", 147, 0): _ROUNDED,
    # Checked by running sdcMicro's own R code: with combs, localSuppressionWORK ranks
    # importance[kV] where kV are column numbers of the data, not positions among keyVars
    # (here importance[c(3, 4, 5)] = (1, NA, NA)), so the importance given is replaced by the
    # column order. The expected 11 is what that importance gives.
    ("test_localSuppression.R", 118, 0): {
        "reason": "with combs, sdcMicro indexes importance by the key variables' column numbers in the "
                  "data instead of their positions (importance[c(3,4,5)] of a length-3 vector), so "
                  "importance=c(3,2,1) acts as c(1,2,3); the expected 11 is the count for c(1,2,3)",
        "effective_importance": [1, 2, 3]},
}


def git_show(repo: Path, path: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{path}"], check=True,
                          capture_output=True, text=True).stdout


def head_commit(repo: Path) -> str:
    return subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()


# ---------------------------------------------------------------------------------------------
# splitting a file into setup statements and test_that blocks
# ---------------------------------------------------------------------------------------------


def uncomment(text: str) -> tuple[str, bool]:
    """Files whose every test is commented out are read with the comment marks removed."""
    live = re.search(r"^\s*test_that\(", text, re.M)
    dead = re.search(r"^#\s?\s*test_that\(", text, re.M)
    if live or not dead:
        return text, False
    return "\n".join(re.sub(r"^# ?", "", line) for line in text.splitlines()), True


def blocks(text: str):
    """Yield ('setup', statement, line) and ('test', description, body, line) in file order."""
    line_of = {}
    pos = 0
    for st in statements(text):
        idx = text.find(st.splitlines()[0], pos)
        line = text.count("\n", 0, idx) + 1 if idx >= 0 else None
        if idx >= 0:
            pos = idx + len(st.splitlines()[0])
        m = re.match(r"test_that\(\s*(\"[^\"]*\"|'[^']*')\s*,\s*\{(.*)\}\s*\)\s*$", st, re.S)
        if m:
            yield ("test", m.group(1)[1:-1], m.group(2), line)
        else:
            yield ("setup", st, line)
        line_of[st] = line


# ---------------------------------------------------------------------------------------------
# values
# ---------------------------------------------------------------------------------------------


def frame_json(frame: Frame) -> dict:
    return {"columns": {n: c for n, c in zip(frame.names, frame.columns)}, "factors": sorted(frame.factors)}


def names_of(frame: Frame, spec) -> list[str]:
    spec = spec if isinstance(spec, list) else [spec]
    return [frame.names[int(v) - 1] if isinstance(v, float) else v for v in spec]


def evaluate(session: Session, text: str):
    return session.eval(parse(text))


def split_args(text: str) -> list[str]:
    """Top-level comma-separated arguments of a call's argument text."""
    out, depth, buf, quote = [], 0, "", None
    for ch in text:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0 and not quote:
            out.append(buf.strip())
            buf = ""
        else:
            buf += ch
    if buf.strip():
        out.append(buf.strip())
    return out


def expectations(body: str) -> list[tuple[str, list[str]]]:
    """(function, top-level argument texts) for every expect_* call of a block, in order."""
    out = []
    for st in statements(body):
        m = re.match(r"(expect_\w+)\((.*)\)\s*$", st, re.S)
        if m:
            out.append((m.group(1), split_args(m.group(2))))
    return out


def accessor(text: str) -> dict:
    """What an expectation reads: R wrappers (unclass, round, sum) and the path after the variable."""
    out: dict = {}
    t = text.strip()
    while True:
        m = re.fullmatch(r"(unclass|as\.numeric|sum)\((.*)\)", t, re.S)
        if m:
            if m.group(1) == "sum":
                out["aggregate"] = "sum"
            t = m.group(2).strip()
            continue
        m = re.fullmatch(r"round\((.*),\s*(?:digits\s*=\s*)?(\d+)\)", t, re.S)
        if m:
            out["round"] = int(m.group(2))
            t = m.group(1).strip()
            continue
        break
    m = re.fullmatch(r"(\w+)(.*)", t, re.S)
    out["variable"], out["path"] = m.group(1), re.sub(r"\s+", "", m.group(2))
    return out


def equal_expectation(session: Session, fn: str, args: list[str]) -> dict:
    exp = {"r": f"{fn}({', '.join(args)})", "check": "equal", **accessor(args[0])}
    value = evaluate(session, args[1])
    exp["expected"] = value if isinstance(value, list) else [value]
    exp["tolerance"] = 1.5e-8
    for a in args[2:]:
        m = re.fullmatch(r"tolerance\s*=\s*(.+)", a)
        if m:
            exp["tolerance"] = float(m.group(1))
    return exp


# ---------------------------------------------------------------------------------------------
# per-file translation of one block
# ---------------------------------------------------------------------------------------------


_SKIP = re.compile(r"expect_|context\(|\w <- levels\(fr\)|res <- as\.data\.frame\(res\[\]\)")
#: files whose handler reads the peer call from the source text; data statements it cannot evaluate
#: (columns derived on an R data set) are left to the handler
_LENIENT = {"test_shuffle.R", "test_localSuppression.R", "test_suda2.R", "test_recordLinkage.R", "test_addNoise.R",
            "test_il_variables.R", "test_il_correl.R"}


def run_body(session: Session, body: str, lenient: bool) -> None:
    for st in statements(body):
        if _SKIP.match(st):
            continue
        try:
            session.run(st)
        except Unsupported:
            if not lenient:
                raise


def sdc_roles(call: PeerCall) -> dict:
    frame = call.args[0]
    roles = {"keyVars": names_of(frame, call.kwargs["keyVars"])}
    if "numVars" in call.kwargs:
        roles["numVars"] = names_of(frame, call.kwargs["numVars"])
    if "w" in call.kwargs:
        roles["weight"] = names_of(frame, call.kwargs["w"])[0]
    return roles


def translate(file: str, desc: str, body: str, session: Session) -> dict:
    handler = HANDLERS.get(file)
    if handler is None:
        raise Unsupported("no translation for this file")
    if handler in (t_localsupp, t_datagen):
        return handler(desc, body, session, [])
    run_body(session, body, file in _LENIENT)
    return handler(desc, body, session, expectations(body))


def t_freqcalc(desc, body, session, exps):
    fr = session.vars["fr"]
    frame = fr.args[0]
    case = {"kind": "freqCalc", "table": frame_json(frame), "keyVars": names_of(frame, fr.kwargs["keyVars"]),
            "weight": names_of(frame, fr.kwargs["w"])[0] if "w" in fr.kwargs else None}
    case["expect"] = [equal_expectation(session, fn, a) for fn, a in exps]
    return case


def t_indivrisk(desc, body, session, exps):
    ind_call = re.search(r"ind <- (indivRisk\(.*\))", body).group(1)
    ind = evaluate(session, ind_call)
    fr = ind.args[0]
    frame = fr.args[0]
    case = {"kind": "indivRisk", "table": frame_json(frame), "keyVars": names_of(frame, fr.kwargs["keyVars"]),
            "weight": names_of(frame, fr.kwargs["w"])[0] if "w" in fr.kwargs else None,
            "method": ind.kwargs.get("method", "approx"), "qual": ind.kwargs.get("qual", 1.0),
            "survey": ind.kwargs.get("survey", True)}
    case["expect"] = [equal_expectation(session, fn, a) for fn, a in exps]
    return case


def t_topbot(desc, body, session, exps):
    m = re.search(r"(\w+) <- topBotCoding\(((?:[^()]|\([^()]*\))*)\)", body, re.S)
    args = split_args(m.group(2))
    kw = dict(re.fullmatch(r"(\w+)\s*=\s*(.+)", a, re.S).groups() for a in args[1:])
    target = evaluate(session, args[0])
    if isinstance(target, PeerCall):  # an sdcMicroObj: the column is one of its numVars
        while target.fn != "createSdcObj":  # the block re-assigned the object to the result
            target = target.args[0]
        frame = target.args[0]
        values = frame.col(evaluate(session, kw["column"]))
    else:
        values = target
    case = {"kind": "topBotCoding", "values": values, "value": evaluate(session, kw["value"]),
            "replacement": evaluate(session, kw["replacement"]), "direction": evaluate(session, kw["kind"])}
    case["expect"] = [equal_expectation(session, fn, a) for fn, a in exps]
    return case


def t_calcrisks(desc, body, session, exps):
    obj = session.vars["sample_Data"]
    obj = obj.args[0] if obj.fn == "calcRisks" else obj
    case = {"kind": "calcRisks", "table": frame_json(obj.args[0]), **sdc_roles(obj)}
    case["expect"] = [equal_expectation(session, fn, a) for fn, a in exps]
    return case


_LEVEL = re.compile(r"(\w) <- levels\(fr\)\[(\d)\]")


def t_globalrecode(desc, body, session, exps):
    call_text = re.search(r"globalRecode\(((?:[^()]|\([^()]*\))*)\)", body).group(1)
    args = split_args(call_text)
    target = evaluate(session, args[0])
    kw = {}
    for a in args[1:]:
        k, v = re.fullmatch(r"(\w+)\s*=\s*(.+)", a, re.S).groups()
        kw[k] = evaluate(session, v)
    case = {"kind": "globalRecode", "breaks": kw["breaks"], "method": kw.get("method"),
            "labels": kw.get("labels")}
    if isinstance(target, PeerCall):  # sdcMicroObj: recode one key variable, then risk
        case["table"] = frame_json(target.args[0])
        case.update(sdc_roles(target))
        case["column"] = kw["column"]
    else:
        frame = session.vars["sample_Data"]
        index = re.fullmatch(r"sample_Data\[,(\d)\]", args[0].replace(" ", ""))
        col = frame.names[int(index.group(1)) - 1]
        case["values"] = target
        case["factor"] = col in frame.factors
    levels = {name: int(i) for name, i in _LEVEL.findall(body)}
    out = []
    for fn, a in exps:
        if fn == "expect_error" and "must be numeric" in a[1] and (
                case.get("factor") or (isinstance(target, PeerCall) and case["column"] in target.args[0].factors)):
            raise Unsupported("R-only: the expected error is about R's factor class of a column of numbers; "
                              "unlinkable reads a column of numbers as numbers")
        if fn == "expect_error":
            out.append({"r": f"{fn}({', '.join(a)})", "check": "error", "message": evaluate(session, a[1])})
        elif fn == "expect_true" and a[0].startswith("all(fr =="):
            pattern = re.fullmatch(r"all\(fr == c\((.*)\)\)", a[0]).group(1)
            out.append({"r": f"{fn}({a[0]})", "check": "pattern",
                        "expected": [levels[x.strip()] for x in pattern.split(",")]})
        elif fn == "expect_true" and a[0] == "all(is.na(fr))":
            out.append({"r": f"{fn}({a[0]})", "check": "all_missing"})
        elif fn == "expect_equal" and a[0].startswith("all(fr =="):
            pattern = re.fullmatch(r"all\(fr == c\((.*)\)\)", a[0]).group(1)
            out.append({"r": f"{fn}({', '.join(a)})", "check": "pattern",
                        "expected": [levels[x.strip()] for x in pattern.split(",")]})
        elif fn == "expect_equal" and a[0].startswith("length(levels("):
            out.append({"r": f"{fn}({', '.join(a)})", "check": "n_levels", "expected": evaluate(session, a[1])})
        elif fn == "expect_equal":
            out.append(equal_expectation(session, fn, a))
        else:
            raise Unsupported(f"expectation {fn}({a[0]})")
    case["expect"] = out
    return case


def t_localsuppression(desc, body, session, exps):
    case: dict = {"kind": "localSuppression"}
    full = body
    if "data(testdata2)" in full:
        case["dataset"] = "testdata2"
        if "ageG <- cut(testdata2$age, 5" in full:
            case["derived"] = {"ageG": {"cut": "age", "breaks": 5}}
    else:
        frame = session.vars["sample_Data"]
        case["table"] = frame_json(frame)
    out = []
    calls = re.findall(r"(?:(\w+) <- )?(localSuppression|kAnon)\(((?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)", full)
    runs = []
    for _target, fn, argtext in calls:
        args = split_args(argtext)
        kw = {}
        for a in args[1:]:
            k, v = re.fullmatch(r"(\w+)\s*=\s*(.+)", a, re.S).groups()
            kw[k] = v
        run: dict = {"function": fn, "object": args[0]}
        if args[0] == "sdc":
            sdc_text = re.search(r"createSdcObj\((.*?)\)\n", full, re.S).group(1)
            run["keyVars"] = evaluate(session, re.search(r"keyVars\s*=\s*(c\([^)]*\))", sdc_text).group(1))
            strata = re.search(r"strataVar\s*=\s*('\w+'|\"\w+\")", sdc_text)
            run["strata"] = [evaluate(session, strata.group(1))] if strata else []
        else:
            kv = evaluate(session, kw["keyVars"]) if "keyVars" in kw else None
            if args[0] == "inp":
                names = evaluate(session, re.search(r"keyVars <- (c\([^)]*\))", full).group(1))
                strata_names = evaluate(session, re.search(r"strataVars <- (c\([^)]*\))", full).group(1))
                cols = names + strata_names
                run["keyVars"] = [cols[int(i) - 1] for i in kv]
                sv = evaluate(session, kw["strataVars"]) if "strataVars" in kw else None
                run["strata"] = [] if sv is None else [cols[int(i) - 1] for i in (sv if isinstance(sv, list) else [sv])]
            else:
                run["keyVars"] = kv
                sv = kw.get("strataVars")
                run["strata"] = [] if sv is None else [evaluate(session, sv)]
        for name in ("k", "importance", "combs"):
            if name in kw:
                text = kw[name]
                if text == "k":
                    text = re.findall(r"\bk <- ([^\n]+)", full)[-1 if len(runs) else 0]
                    # the k in force at this call: the last assignment before it
                    before = full[: full.find(f"{fn}({argtext})")]
                    text = re.findall(r"\bk <- ([^\n]+)", before)[-1]
                if text == "combs":
                    before = full[: full.find(f"{fn}({argtext})")]
                    text = re.findall(r"\bcombs <- ([^\n]+)", before)[-1]
                value = evaluate(session, text)
                run[name] = None if value is None else (value if isinstance(value, list) else [value])
        runs.append(run)
    case["runs"] = runs
    for fn, a in exps:
        r = f"{fn}({', '.join(a)})"
        if fn == "expect_error":
            inner = re.search(r"(localSuppression|kAnon)\(", a[0])
            idx = [i for i, run in enumerate(runs) if run["function"] == inner.group(1)]
            target = next(i for i in idx if runs[i].get("expect_error") is None)
            runs[target]["expect_error"] = True
            out.append({"r": r, "check": "error", "run": target,
                        "message": evaluate(session, a[1]) if len(a) > 1 else None})
        elif fn == "expect_true" and "is.na" in a[0]:
            out.append({"r": r, "check": "any_suppressed", "run": len(runs) - 1})
        elif fn == "expect_true":
            m = re.fullmatch(r"ls\$newSupps\s*==\s*(\d+)", a[0])
            out.append({"r": r, "check": "equal", "variable": "ls", "path": "$newSupps",
                        "expected": [float(m.group(1))], "tolerance": 0.0, "run": len(runs) - 1})
        elif fn == "expect_equal":
            e = equal_expectation(session, fn, a)
            e["run"] = len(runs) - 1
            out.append(e)
        else:
            raise Unsupported(f"expectation {fn}")
    case["expect"] = out
    return case


def t_suda2(desc, body, session, exps):
    if "sample_Data[[3]]" in body:
        raise Unsupported("vacuous peer test: it compares the input column sample_Data[[3]] with its own "
                          "values and never reads the suda2 result")
    case: dict = {"kind": "suda2"}
    if "data(testdata2)" in body:
        case["dataset"] = "testdata2"
        if "createSdcObj" in body:
            case["variables"] = evaluate(session, re.search(r"keyVars=(c\([^)]*\))", body).group(1))
        else:
            case["variables"] = evaluate(session, re.search(r"variables=(c\([^)]*\))", body).group(1))
        m = re.search(r"original_scores=(TRUE|FALSE)", body)
        case["original_scores"] = m.group(1) == "TRUE" if m else True  # suda2's default
    else:
        call = re.search(r"(\w+) <- suda2\((\w+)\)", body)
        obj = session.vars[call.group(2)]
        if isinstance(obj, PeerCall):
            case["table"] = frame_json(obj.args[0])
            case["variables"] = sdc_roles(obj)["keyVars"]
        else:
            case["table"] = frame_json(obj)
            case["variables"] = list(obj.names)
        case["original_scores"] = True  # suda2's default
    out = []
    for fn, a in exps:
        r = f"{fn}({', '.join(a)})"
        if fn == "expect_equal":
            out.append(equal_expectation(session, fn, a))
            continue
        m = re.fullmatch(r"(all\()?(.+?)\s*==\s*(.+?)\)?", a[0], re.S)
        lhs = m.group(2) if not m.group(1) else m.group(2)
        rhs = m.group(3)
        if m.group(1):
            rhs = rhs[:-1] if rhs.endswith(")") and rhs.count("(") < rhs.count(")") else rhs
        e = {"r": r, "check": "equal", **accessor(lhs), "expected": None, "tolerance": 0.0}
        value = evaluate(session, rhs)
        e["expected"] = value if isinstance(value, list) else [value]
        out.append(e)
    case["expect"] = out
    return case


def t_ldiversity(desc, body, session, exps):
    m = re.search(r"ldiversity\((.*?)\)\n", body, re.S)
    args = split_args(m.group(1))
    kw = dict(re.fullmatch(r"(\w+)\s*=\s*(.+)", a, re.S).groups() for a in args)
    frame = evaluate(session, kw["obj"])
    case = {"kind": "ldiversity", "table": frame_json(frame),
            "keyVars": names_of(frame, evaluate(session, kw["keyVars"])),
            "sensitive": names_of(frame, evaluate(session, kw["ldiv_index"]))}
    out = []
    for fn, a in exps:
        r = f"{fn}({', '.join(a)})"
        if fn == "expect_equal" and a[0] == "nrow(res)":
            out.append({"r": r, "check": "n_rows", "expected": evaluate(session, a[1])})
        elif fn == "expect_equal":
            col = re.fullmatch(r"res(?:\$(\w+)\[(\d+)\]|\[(\d+),\s*\"(\w+)\"\])", a[0].replace(" ", ""))
            name = col.group(1) or col.group(4)
            row = int(col.group(2) or col.group(3))
            out.append({"r": r, "check": "equal", "column": name, "row": row,
                        "expected": [evaluate(session, a[1])], "tolerance": 1.5e-8})
        elif fn == "expect_true":
            m2 = re.fullmatch(r"all\(res\[,\s*1\]\s*==\s*(\d+)\)", a[0])
            out.append({"r": r, "check": "first_column_all", "expected": float(m2.group(1))})
    case["expect"] = out
    return case


def t_ranksswap(desc, body, session, exps):
    m = re.search(r"swapped <-\s*rankSwap\((\w+), (.*)\)\n", body + "\n")
    if not m or "all(test$a==swapped$a)" not in body:
        raise Unsupported("rankSwap expectation not understood")
    kw = dict(re.fullmatch(r"(\w+)\s*=\s*(.+)", a.strip(), re.S).groups() for a in split_args(m.group(2)))
    test = session.vars[m.group(1)]
    options = {name: evaluate(session, kw[name]) if name in kw else None for name in ("P", "R0", "K0")}
    return {"kind": "rankSwap", "attributes": _vec_of(evaluate(session, kw["var"])),
            "p": options["P"], "r0": options["R0"], "k0": options["K0"],
            "top": evaluate(session, kw.get("TopPercent", "5")), "bottom": evaluate(session, kw.get("BottomPercent", "5")),
            "table": {"ranges": {n: [c[0], c[-1]] for n, c in zip(test.names, test.columns)}},
            "expect": [{"r": "expect_true(all(test$a==swapped$a))", "check": "unchanged"}]}


def _vec_of(value):
    return value if isinstance(value, list) else [value]


def t_localsupp(desc, body, session, exps):
    """localSupp on a freqCalc object or an sdcMicroObj: suppress one key variable above a risk threshold."""
    data = re.search(r"data\((\w+)\)", body).group(1)
    m = re.search(r"localSupp\((\w+), keyVar\s*=\s*(\S+?), threshold\s*=\s*([\d.]+)\)", body)
    if "freqCalc(" in body:
        keyvars = evaluate(session, re.search(r"keyVars <- (.+)", body).group(1))
        weight = {"column_number": int(re.search(r"freqCalc\(\w+, keyVars=keyVars,\s*w=(\d+)\)", body).group(1))}
    else:
        keyvars = evaluate(session, re.search(r"keyVars\s*=\s*(c\([^)]*\))", body).group(1))
        weight = {"name": evaluate(session, re.search(r"w\s*=\s*('\w+'|\"\w+\")", body).group(1))}
    out = []
    for st in statements(body):
        if st == "expect_true(all(indivf$rk-indivf2$rk>=0))":
            out.append({"r": st, "check": "risk_not_higher"})
        elif st == "expect_true(sum(sdc@localSuppression$totalSupps)>0)":
            out.append({"r": st, "check": "any_suppressed"})
        elif st.startswith("expect_"):
            raise Unsupported(f"expectation {st[:60]!r}")
    return {"kind": "localSupp", "dataset": data, "keyVars": keyvars, "weight": weight,
            "attribute": evaluate(session, m.group(2)), "threshold": float(m.group(3)), "expect": out}


def call_args(text: str, fn: str) -> list[tuple[str | None, str]]:
    """(assigned variable, argument text) of every call of ``fn`` in ``text``, brackets balanced."""
    out = []
    for m in re.finditer(rf"(?:(\w+)\s*<-\s*(?:suppressWarnings\(\s*)?)?\b{fn}\(", text):
        depth, i = 1, m.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        out.append((m.group(1), text[m.end():i - 1]))
    return out


def t_riskycells(desc, body, session, exps):
    """riskyCells on testdata2 (key variables by number) or on an sdcMicroObj (original key variables)."""
    runs = {}
    for target, argtext in call_args(body, "riskyCells"):
        args = split_args(argtext)
        kw = {k: evaluate(session, v) for k, v in
              (re.fullmatch(r"(\w+)\s*=\s*(.+)", a.strip(), re.S).groups() for a in args[1:])}
        obj = evaluate(session, args[0])
        if isinstance(obj, PeerCall):
            while obj.fn != "createSdcObj":  # groupAndRename(sdc, ...): the original stays as it was
                obj = obj.args[0]
            data, keys = obj.args[0], obj.kwargs["keyVars"]
        else:
            data, keys = obj, kw["keyVars"]
        keys = keys if isinstance(keys, list) else [keys]
        run = {"dataset": data[1], "keyVars": [k if isinstance(k, str) else {"column_number": int(k)} for k in keys],
               "threshold": kw["threshold"] if isinstance(kw["threshold"], list) else [kw["threshold"]]}
        if kw["useIdentificationLevel"]:
            run["levels"] = kw["level"]
        else:
            run["max_dim"] = int(kw["maxDim"])
        runs[target] = run
    out = []
    for st in statements(body):
        m = re.fullmatch(r"expect_true\((\w+)\$(unsafe_cells(?:_orig)?)\[(\d+)\]==\"(\d+)\"\)", st)
        if m:
            out.append({"r": st, "check": "unsafe_cells", "run": list(runs).index(m.group(1)),
                        "row": int(m.group(3)), "expected": int(m.group(4))})
        elif st.startswith("expect_"):
            raise Unsupported(f"expectation {st[:60]!r}")
    # groupAndRename changes only the manipulated key variables; the tests read the original's counts
    return {"kind": "riskyCells", "runs": list(runs.values()), "expect": out}


_RL_ARGS = ("x", "y", "vars", "distance", "weights", "x_id", "y_id", "return_matrix", "na_action", "tol")
#: recordLinkage expectations on R's object structure (S3 class, list and column names, R types):
#: kept in the case, reported as not applicable (unlinkable returns aggregate figures, no R list)
_RL_R_ONLY = re.compile(r"expect_(s3_class|type|named)\(|expect_true\(is\.(numeric|matrix)\(|"
                        r"expect_equal\(\s*names\(out\$matches\)|expect_true\(\"distance_matrix\" %in%")
_RL_FIELD = re.compile(r"expect_equal\((\w+)\$(correct_match_rate|correct_matches|total_distance|mean_distance),\s*"
                       r"([-\d.eL]+)(?:,\s*tolerance\s*=\s*([\d.e-]+))?\)")
_RL_SIMPLE = {
    r"expect_true\(all\((\w+)\$matches\$correct_match\)\)": "all_correct",
    r"expect_true\(anyNA\((\w+)\$matches\$correct_match\)\)": "some_unjudged",
    r"expect_true\(all\(is\.na\((\w+)\$matches\$correct_match\)\)\)": "none_judged",
    r"expect_true\(is\.na\((\w+)\$correct_match_rate\)\)": "rate_missing",
    r"expect_true\(all\(is\.finite\((\w+)\$matches\$distance\)\)\)": "finite_distances",
    r"expect_equal\((\w+)\$correct_matches, sum\(\w+\$matches\$correct_match, na\.rm = TRUE\)\)": "sum_correct",
    r"expect_equal\((\w+)\$correct_match_rate, mean\(\w+\$matches\$correct_match, na\.rm = TRUE\)\)": "mean_correct",
    r"expect_equal\((\w+)\$mean_distance, mean\(\w+\$matches\$distance\)\)": "mean_distance_of_pairs",
    r"expect_equal\((\w+)\$total_distance, sum\(\w+\$matches\$distance\)\)": "total_distance_of_pairs",
    r"expect_equal\(\s*(\w+)\$matches\$distance,\s*\w+\$distance_matrix\[cbind\(seq_len\(nrow\(x\)\), "
    r"\w+\$matches\$y_row\)\]\s*\)": "pair_distances_from_matrix",
}


def _rl_call(session: Session, argtext: str) -> dict:
    call: dict = {}
    for i, arg in enumerate(split_args(argtext)):
        m = re.fullmatch(r"(\w+)\s*=\s*(.+)", arg.strip(), re.S)
        name, text = (m.group(1), m.group(2)) if m else (_RL_ARGS[i], arg)
        value = evaluate(session, text)
        if isinstance(value, Frame):
            value = {"table": frame_json(value)}
        call[name] = value
    return call


def t_recordlinkage(desc, body, session, exps):
    """recordLinkage: aggregates through the public function, pair-level checks on the internal kernel."""
    if ".harmonize_linkage_data(" in body:
        raise Unsupported("R object-class plumbing: tests sdcMicro's internal .harmonize_linkage_data, which "
                          "converts R column classes (factor, ordered, logical, integer, list) between two "
                          "data.frames; unlinkable reads typed columns (numbers, true/false, text)")
    if "print(out)" in body:
        raise Unsupported("R-only: tests the print method of R's recordLinkage object (console text, invisible())")
    calls: dict = {}
    for target, argtext in call_args(body, "recordLinkage"):
        if target:
            calls[target] = _rl_call(session, argtext)
    expected_matrix = None
    m = re.search(r"expected <- matrix\(\s*(c\([^)]*\))", body, re.S)
    if m:
        values = evaluate(session, re.sub(r"\s+", " ", m.group(1)))
        nrow = int(re.search(r"nrow = (\d+)", body).group(1))
        expected_matrix = [values[i * nrow:(i + 1) * nrow] for i in range(len(values) // nrow)]  # byrow = TRUE
    out, names = [], list(calls)
    for st in statements(body):
        st1 = re.sub(r"\s+", " ", st)
        if not st1.startswith("expect_"):
            continue
        if st1.startswith("expect_error("):
            args = split_args(st1[len("expect_error("):-1])
            call = _rl_call(session, call_args(args[0], "recordLinkage")[0][1])
            out.append({"r": st, "check": "error", "call": call, "message": evaluate(session, args[1])})
            continue
        if _RL_R_ONLY.match(st1):
            out.append({"r": st, "check": "not_applicable",
                        "why": "R object structure (S3 class, list or column names, R type); unlinkable returns "
                               "aggregate figures, never an R list or the pairs"})
            continue
        e = None
        f = _RL_FIELD.fullmatch(st1)
        if f:
            e = {"check": "field", "result": f.group(1), "field": f.group(2), "expected": float(f.group(3).rstrip("L")),
                 "tolerance": float(f.group(4)) if f.group(4) else 1.5e-8}
        for pattern, check in _RL_SIMPLE.items():
            g = re.fullmatch(pattern, st1)
            if g and e is None:
                e = {"check": check, "result": g.group(1)}
        g = re.fullmatch(r"expect_equal\((sort\()?(\w+)\$matches\$(y_row|x_id|y_id|n_best)\)?(?:\[(\d+)\])?, (.+)\)", st1)
        if g and e is None:
            value = evaluate(session, g.group(5))
            e = {"check": "pairs", "result": g.group(2), "column": g.group(3), "sorted": bool(g.group(1)),
                 "index": int(g.group(4)) if g.group(4) else None,
                 "expected": value if isinstance(value, list) else [value]}
        g = re.fullmatch(r"expect_equal\((\w+)\$distance_matrix, expected, tolerance = ([\d.e-]+)\)", st1)
        if g and e is None:
            e = {"check": "matrix", "result": g.group(1), "expected": expected_matrix, "tolerance": float(g.group(2))}
        g = re.fullmatch(r"expect_equal\(dim\((\w+)\$distance_matrix\), c\((\d+), (\d+)\)\)", st1)
        if g and e is None:
            e = {"check": "matrix_shape", "result": g.group(1), "expected": [int(g.group(2)), int(g.group(3))]}
        g = re.fullmatch(r"expect_equal\(nrow\((\w+)\$matches\), (\d+)L?\)", st1)
        if g and e is None:
            e = {"check": "pair_count", "result": g.group(1), "expected": int(g.group(2))}
        if e is None:
            raise Unsupported(f"expectation {st1[:70]!r}")
        e["r"] = st
        e["result"] = names.index(e["result"])
        out.append(e)
    return {"kind": "recordLinkage", "calls": list(calls.values()), "expect": out}


def t_il_variables(desc, body, session, exps):
    """IL_variables on a table drawn with R's sample/rnorm/runif after set.seed, then partly changed."""
    frame_text = re.search(r"x <- xm <- data\.frame\((.*?)\n  \)", body, re.S).group(1)
    n = int(session.vars["n"]) if "n" in session.vars else None
    columns, ordered = {}, {}
    for arg in split_args(frame_text):
        name, text = re.fullmatch(r"(\w+)\s*=\s*(.+)", arg.strip(), re.S).groups()
        m = re.fullmatch(r"(factor|ordered)\((.+), levels = (.+)\)", text.strip(), re.S)
        values = evaluate(session, m.group(2) if m else text)  # R evaluates x before levels
        if m and m.group(1) == "ordered":
            ordered[name] = evaluate(session, m.group(3))
        values = values if isinstance(values, list) else [values]
        columns[name] = [values[i % len(values)] for i in range(n)]  # data.frame recycles
    factors = [c for c in columns if isinstance(columns[c][0], str)]
    original = {"columns": columns, "factors": factors}
    changed = {c: list(v) for c, v in columns.items()}
    out = []
    for st in statements(body):
        m = re.fullmatch(r"xm\$(\w+)\[(\d+):(\d+)\] <- (\"\w+\")", st)
        if m:
            for i in range(int(m.group(2)) - 1, int(m.group(3))):
                changed[m.group(1)][i] = evaluate(session, m.group(4))
            continue
        m = re.fullmatch(r"xm\$(\w+) <- (.+)", st)
        if m:
            changed[m.group(1)] = evaluate(session, m.group(2))
            continue
        m = re.fullmatch(r"expect_equivalent\(as\.numeric\((IL_variables\(x, xm\)|res)\), ([\d.]+)\)", st)
        if m:
            # the first check runs before xm is changed (xm is still x)
            out.append({"r": st, "check": "equal", "protected": "original" if m.group(1) != "res" else "changed",
                        "expected": [float(m.group(2))], "tolerance": 1.5e-8})
        elif st.startswith("expect_"):
            raise Unsupported(f"expectation {st[:60]!r}")
    return {"kind": "IL_variables", "original": original, "changed": {"columns": changed, "factors": factors},
            "ordered": ordered, "expect": out}


def t_il_correl(desc, body, session, exps):
    """IL_correl of Tarragona against sdcMicro's additive noise drawn from R's stream after set.seed."""
    seed = int(re.search(r"set\.seed\((\d+)\)", body).group(1))
    runs, out = {}, []
    for st in statements(body):
        m = re.fullmatch(r"(\w+) <- addNoise\(obj = Tarragona, variables = colnames\(Tarragona\), noise = (\d+)\)", st)
        if m:
            runs[m.group(1)] = float(m.group(2))
            continue
        m = re.search(r"IL_correl\(x = as\.data\.frame\((\w+)\$x\), xm = as\.data\.frame\((\w+)\$(x|xm)\)\)", st)
        if m and st.startswith(("erg", "expect_equivalent(as.numeric(IL_correl")):
            key = (list(runs).index(m.group(1)), m.group(3))
            if st.startswith("erg"):
                session.vars[st.split(" <- ")[0]] = key
            else:
                out.append({"r": st, "run": key[0], "protected": key[1],
                            "expected": [float(re.search(r", ([\d.]+)\)$", st).group(1))], "tolerance": 1.5e-8})
            continue
        m = re.fullmatch(r"expect_equivalent\(as\.numeric\((erg\d)\), ([\d.]+)\)", st)
        if m:
            run, side = session.vars[m.group(1)]
            out.append({"r": st, "run": run, "protected": side, "expected": [float(m.group(2))], "tolerance": 1.5e-8})
        elif st.startswith("expect_"):
            raise Unsupported(f"expectation {st[:60]!r}")
    return {"kind": "IL_correl", "dataset": "Tarragona", "seed": seed, "method": "additive",
            "noise": list(runs.values()), "expect": out}


_NOISE_METHODS = ("additive", "correlated", "correlated2", "restr", "ROMM", "outdect")
_NOISE_OTHER: dict[str, str] = {}


def t_addnoise(desc, body, session, exps):
    """addNoise: two runs from one R stream (set.seed), checked for the properties the tests state."""
    seed = int(re.search(r"set\.seed\((\d+)\)", body).group(1))
    runs, out = {}, []
    data = None
    for target, argtext in call_args(body, "addNoise"):
        args = split_args(argtext)
        kw = {k: evaluate(session, v) for k, v in (re.fullmatch(r"(\w+)\s*=\s*(.+)", a.strip(), re.S).groups()
                                                   for a in args[1:])}
        method = kw.get("method", "additive")
        if method not in _NOISE_METHODS:
            raise Unsupported(f"not implemented in unlinkable: addNoise method {method!r} "
                              f"({_NOISE_OTHER.get(method, 'unknown to sdcMicro')}); unlinkable's noise step has "
                              f"{', '.join(_NOISE_METHODS)}")
        obj = evaluate(session, args[0])
        data = obj.args[0] if isinstance(obj, PeerCall) else obj
        runs[target] = {"method": method, "noise": kw.get("noise", 150.0), "delta": kw.get("delta", 0.1),
                         "p": kw.get("p", 0.001)}
    for st in statements(body):
        st1 = re.sub(r"^\w+<-(?=expect_)", "", re.sub(r"\s+", "", st))  # fr <- expect_error(addNoise(...))
        names = list(runs)
        if st1.startswith("expect_warning("):
            out.append({"r": st, "check": "not_applicable",
                        "why": "R's rnorm warns 'NAs produced' for a column without values; unlinkable leaves "
                               "such a column missing without a warning"})
        elif st1.startswith("expect_error("):
            assigned = re.search(r"(\w+)<-addNoise", st1)
            out.append({"r": st, "check": "error", "run": names.index(assigned.group(1) if assigned else None)})
        elif re.fullmatch(r"expect_true\(all\((na\.omit\()?colMeans\(abs\(\S+-\S+\)(,na\.rm=TRUE)?\)\)?>0\)\)", st1):
            out.append({"r": st, "check": "every_column_changed", "run": 0})
        elif re.fullmatch(r"expect_true\(mean\(colMeans\(abs\(\w+(@manipNumVars|\$xm)-\S+\).*\)>mean\(.*\)\)", st1):
            out.append({"r": st, "check": "first_perturbs_more", "run": 0, "other": 1})
        elif re.fullmatch(r"expect_true\(all\(is\.na\(fr\$xm\)\)\)", st1):
            out.append({"r": st, "check": "all_missing", "run": 0})
        elif st1.startswith("expect_"):
            raise Unsupported(f"expectation {st[:60]!r}")
    return {"kind": "addNoise", "table": frame_json(data), "seed": seed, "runs": list(runs.values()), "expect": out}


def t_shuffle(desc, body, session, exps):
    """shuffle (methods ds, mvn, mlm): the tests check that not every shuffled value left its record."""
    m = re.search(r"fr <- shuffle\((\w+), form=([\w+]+) ~ ([\w+]+), (.*)\)", body)
    kw = {k: evaluate(session, v) for k, v in (re.fullmatch(r"(\w+)\s*=\s*(.+)", a.strip()).groups()
                                               for a in split_args(m.group(4)))}
    if kw.get("weights") is not None:
        raise Unsupported("shuffle with regression weights")
    out = []
    for st in statements(body):
        if re.fullmatch(r"expect_false\(all\(fr\[\[1\]\]!=sample_Data\[,c\(\"Var1\",\"Var2\"\)\]\)\)", st):
            out.append({"r": st, "check": "some_value_in_place"})
        elif st.startswith("expect_"):
            raise Unsupported(f"expectation {st[:60]!r}")
    # gadp only adds sdcMicro's separate 'egadp' matrix, not read here; regmethod matters to method mvn
    return {"kind": "shuffle", "table": frame_json(session.vars[m.group(1)]), "responses": m.group(2).split("+"),
            "predictors": m.group(3).split("+"), "method": kw["method"], "covmethod": kw["covmethod"],
            "regmethod": kw["regmethod"], "gadp": kw["gadp"],
            "seed": int(re.search(r"set\.seed\((\d+)\)", body).group(1)), "expect": out}


_MODRISK_CALL = re.compile(r"(?:(\w+) <- )?modRisk\(([^()]*)\)")
#: modRisk's result list, by position: gr1, gr2, gr1perc, gr2perc, method, model, fitted, inclProb
_MODRISK_PARTS = {1: "risk1", 2: "risk2", 7: "fitted", 8: "inclusion"}


def t_modrisk(desc, body, session, exps):
    """modRisk calls (method, bound) on the file's table; rounded-value and warning expectations."""
    calls, frame, roles = [], None, None
    for found in _MODRISK_CALL.finditer(body):
        args = split_args(found.group(2))
        kw = dict(re.fullmatch(r"(\w+)\s*=\s*(.+)", a, re.S).groups() for a in args[1:])
        obj = evaluate(session, args[0])
        if isinstance(obj, PeerCall):  # an sdcMicroObj: its key variables and weight
            frame, weight = obj.args[0], names_of(obj.args[0], obj.kwargs["w"])[0]
        else:
            frame, weight = obj, evaluate(session, kw["weights"])
        formula = evaluate(session, kw["formulaM"])
        if any(":" in t for t in formula[1]):
            raise Unsupported("interaction terms in modRisk's formula")
        roles = {"keyVars": formula[1], "weight": weight}
        calls.append({"at": found.start(), "target": found.group(1),
                      "method": evaluate(session, kw.get("method", '"default"')),
                      "bound": evaluate(session, kw["bound"]) if "bound" in kw else None})
    out, pos = [], 0
    for st in statements(body):
        start = body.find(st, pos)
        pos = start + len(st)
        m = re.fullmatch(r"expect_warning\((.*)\)\s*$", st, re.S)
        if m:
            call = next(i for i, c in enumerate(calls) if start <= c["at"] < pos)
            out.append({"r": st, "check": "warning", "call": call,
                        "message": evaluate(session, split_args(m.group(1))[1])})
            continue
        m = re.fullmatch(r"expect_true\((?:all\()?round\(as\.numeric\((?:unclass|unlist)\(fr(?:@risk\$model)?"
                         r"\[(\d)\]\)\), digits=(\d)\)==(.+?)\)?\)\s*$", st, re.S)
        if m:
            # the result read is the one last assigned to fr before this line
            call = max(i for i, c in enumerate(calls) if c["target"] == "fr" and c["at"] < start)
            value = evaluate(session, m.group(3))
            out.append({"r": st, "check": "rounded", "call": call, "part": _MODRISK_PARTS[int(m.group(1))],
                        "digits": int(m.group(2)), "expected": value if isinstance(value, list) else [value]})
            continue
        if st.startswith("expect_"):
            raise Unsupported(f"expectation {st[:60]!r}")
    for c in calls:
        del c["at"], c["target"]
    return {"kind": "modRisk", "table": frame_json(frame), **roles, "calls": calls, "expect": out}


def t_datagen(desc, body, session, exps):
    """dataGen on the numeric columns (given by index, or an sdcMicroObj's numVars), from R's stream
    after the set.seed just before the call; a data.frame draws dataGenWORK's default n = 200 records."""
    for st in statements(body):
        if "dataGen(" in st:
            break
        if not st.startswith("expect_"):
            session.run(st)
    m = re.fullmatch(r"fr <- dataGen\((\w+)(?:\[,c\(([\d,]+)\)\])?\)", st)
    obj = session.vars[m.group(1)]
    if isinstance(obj, PeerCall):
        frame, columns, records = obj.args[0], names_of(obj.args[0], obj.kwargs["numVars"]), None
    else:
        frame, columns, records = obj, names_of(obj, [float(v) for v in m.group(2).split(",")]), 200
    seed = int(re.findall(r"set\.seed\((\d+)\)", body[:body.find("dataGen(")])[-1])
    out = []
    for st in statements(body):
        st1 = re.sub(r"\s+", "", st)
        e = re.fullmatch(r"expect_false\(all\(fr(?:@manipNumVars)?\[,(\d)\]==sample_Data(?:@manipNumVars)?\[,\1\]\)\)", st1)
        if e:
            out.append({"r": st, "check": "column_changed", "column": columns[int(e.group(1)) - 1]})
            continue
        e = re.fullmatch(r"expect_equal\(fr@manipNumVars\[,(\d)\],(c\([^()]*\)),tolerance=([\d.]+)\)", st1)
        if e:
            out.append({"r": st, "check": "equal", "column": columns[int(e.group(1)) - 1],
                        "expected": evaluate(session, e.group(2)), "tolerance": float(e.group(3))})
        elif st.startswith("expect_"):
            raise Unsupported(f"expectation {st[:60]!r}")
    return {"kind": "dataGen", "table": frame_json(frame), "attributes": columns, "records": records,
            "seed": seed, "expect": out}


HANDLERS = {
    "test_dataGen.R": t_datagen,
    "test_shuffle.R": t_shuffle,
    "test_il_variables.R": t_il_variables,
    "test_il_correl.R": t_il_correl,
    "test_addNoise.R": t_addnoise,
    "test_recordLinkage.R": t_recordlinkage,
    "test_riskyCells.R": t_riskycells,
    "test_modRisks.R": t_modrisk,
    "test_freqCalc.R": t_freqcalc,
    "test_indivRisk.R": t_indivrisk,
    "test_topBotCoding.R": t_topbot,
    "test_calcRisks.R": t_calcrisks,
    "test_globalRecode.R": t_globalrecode,
    "test_localSuppression.R": t_localsuppression,
    "test_suda2.R": t_suda2,
    "test_ldiversity.R": t_ldiversity,
    "test_rankSwap.R": t_ranksswap,
    "test_localSupp.R": t_localsupp,
}


def extract(repo: Path) -> dict:
    files = subprocess.run(["git", "-C", str(repo), "ls-tree", "--name-only", "HEAD", "tests/testthat/"],
                           check=True, capture_output=True, text=True).stdout.split()
    cases = []
    for path in sorted(files):
        name = Path(path).name
        if not name.startswith("test_") or not name.endswith(".R"):
            continue
        text, commented = uncomment(git_show(repo, path))
        if name.startswith("test_recordSwap_") or name == "test_infoLoss.R":
            cases += [{"file": path, **c, "commented_out": commented} for c in translate_file(name, text, blocks)]
            continue
        session = Session()
        setup_error = None
        for item in blocks(text):
            if item[0] == "setup":
                if name in FILE_REASONS:
                    continue
                try:
                    session.run(item[1])
                    setup_error = None
                except Unsupported as exc:
                    setup_error = str(exc)
                continue
            _, desc, body, line = item
            case = {"file": path, "test": desc, "line": line, "commented_out": commented}
            if name in FILE_REASONS:
                case.update(status="marked", reason=FILE_REASONS[name])
            else:
                try:
                    if setup_error:
                        raise Unsupported(f"setup: {setup_error}")
                    case.update(translate(name, desc, body, copy.deepcopy(session)))
                    case["status"] = "ported"
                except Unsupported as exc:
                    case.update(status="marked", reason=str(exc))
                except (AttributeError, KeyError, IndexError, TypeError, ValueError) as exc:
                    case.update(status="marked", reason=f"not translated by this script: {type(exc).__name__}: {exc}")
            for i, e in enumerate(case.get("expect", [])):
                bug = PEER_BUGS.get((name, line, i))
                if bug:
                    e["peer_bug"] = bug
            cases.append(case)
    # several blocks share a description: number them within their file
    seen: dict = {}
    for c in cases:
        key = (c["file"], c["test"])
        seen[key] = seen.get(key, 0) + 1
        c["id"] = f"{Path(c['file']).stem}:{c['line']}"
    return {"peer": {"repository": "sdcTools/sdcMicro", "commit": head_commit(repo), "version": "5.8.1",
                     "extracted_by": "scripts/extract_sdcmicro_cases.py"},
            "cases": cases}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", type=Path, default=DEFAULT_REPO, help="bare git dir of sdcTools/sdcMicro")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    data = extract(args.repo)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1, allow_nan=False) + "\n")
    ported = sum(c["status"] == "ported" for c in data["cases"])
    print(f"{len(data['cases'])} cases, {ported} ported, {len(data['cases']) - ported} marked -> {args.out}")


if __name__ == "__main__":
    main()
