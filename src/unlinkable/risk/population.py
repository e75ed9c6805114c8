"""Population uniqueness estimated from a sample: Pitman, Zayatz, SNB and Dankar's decision rule.

Every estimator reads only the *frequency of frequencies* of the sample (how many equivalence
classes have size 1, 2, 3, ...), so the cost depends on the number of distinct class sizes, not on
the number of records.

The numerics follow ARX 3.9.2 (``org.deidentifier.arx.risk``) operation by operation so that the
results agree with ARX to the last bit: the same start values, the same Newton-Raphson solver
(``de.linearbits.newtonraphson.NewtonRaphson2D`` configured by ``ARXSolverConfiguration``), the
same digamma/trigamma approximations (including a quirk of ARX's trigamma, see
:func:`_trigamma`), the same Apache Commons Math routines for the Gamma function and the
hypergeometric distribution, and the same summation order. Where ARX calls ``Math.log``,
``Math.exp`` or ``Math.pow`` we call the C library's, which round the same way on every input
used by the reference data (see the tests).

The solver's wall-clock limits (100 ms per try, 1 s in total) are not reproduced: they make ARX
non-deterministic on very large inputs, and they never bind on the reference data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from unlinkable.compiled import compiled_ieee
from unlinkable.errors import ConfigError, InputError
from unlinkable.risk.sampling import population_size as size_from_fraction

__all__ = ["PopulationUniquenessEstimates", "population_uniqueness"]


_NAN = float("nan")
_INF = float("inf")
_INT_MAX = 2**31 - 1  # Java's Integer.MAX_VALUE, where ARX's Zayatz model caps its arguments

# ARXSolverConfiguration defaults.
_ACCURACY = 1e-6
_ITERATIONS_PER_TRY = 1000


def _arx_start_values() -> list[tuple[float, float]]:
    # ARX builds a 4x4 grid by repeated addition of 0.33 (so the values carry its rounding).
    values = []
    d1 = 0.0
    while d1 < 1.0:
        d2 = 0.0
        while d2 < 1.0:
            values.append((d1, d2))
            d2 += 0.33
        d1 += 0.33
    return values


_START_VALUES = _arx_start_values()


# --------------------------------------------------------------------------------------------
# Java-compatible elementary functions (Java returns NaN/inf where Python raises).
# --------------------------------------------------------------------------------------------


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return _INF


@compiled_ieee
def _java_log(x: float) -> float:
    """Java's Math.log: -inf at 0, NaN below (Python's math.log raises)."""
    if x > 0.0:
        return math.log(x)
    if x == 0.0:
        return -_INF
    return _NAN  # negative or NaN


@compiled_ieee
def _java_pow(x: float, y: float) -> float:
    """Java's Math.pow as the C library's pow: inf, -inf and NaN where Python's math.pow raises."""
    out: float = x ** y
    return out


# --------------------------------------------------------------------------------------------
# ARX's digamma / trigamma (Java port of Minka's Lightspeed toolbox, org.deidentifier.arx.risk.Gamma)
# --------------------------------------------------------------------------------------------

_DIGAMMA_1 = -0.57721566490153286060651209008240243104215933593992
_TRIGAMMA_1 = (math.pi * math.pi) / 6.0
_TETRAGAMMA_1 = -2.0 * 1.202056903159594285399738161511449990764986292
_S3, _S4, _S5, _S6, _S7 = 1.0 / 12.0, 1.0 / 120.0, 1.0 / 252.0, 1.0 / 240.0, 1.0 / 132.0
_B2, _B4, _B6, _B8, _B10 = 1.0 / 6.0, -1.0 / 30.0, 1.0 / 42.0, -1.0 / 30.0, 5.0 / 66.0

# Compiled with numpy's error model (x / 0 is inf or NaN, as in Java); the compiled and the
# interpreted functions both call the C library's log, tan and sin, so they agree bit for bit.


@compiled_ieee
def _digamma_positive(x: float) -> float:
    if x <= 1e-6:
        return (_DIGAMMA_1 - (1.0 / x)) + (_TRIGAMMA_1 * x)
    result = 0.0
    while x < 12.0:
        result -= 1.0 / x
        x += 1.0
    r = 1.0 / x
    result += math.log(x) - (0.5 * r)
    r *= r
    result -= r * (_S3 - (r * (_S4 - (r * (_S5 - (r * (_S6 - (r * _S7))))))))
    return result


@compiled_ieee
def _digamma(x: float) -> float:
    if math.isinf(x) or math.isnan(x):
        return _NAN
    if x == 0.0:
        return -_INF
    if x < 0.0:
        # reflection: 1 - x > 1, so the positive branch applies
        return _digamma_positive(1.0 - x) + (math.pi / math.tan(-math.pi * x))
    return _digamma_positive(x)


@compiled_ieee
def _trigamma_positive(x: float) -> float:
    if x <= 1e-4:
        return (1.0 / (x * x)) + _TRIGAMMA_1 + (_TETRAGAMMA_1 * x)
    result = 0.0
    while x < 8.0:
        result += 1.0 / (x * x)
        x += 1.0
    # ARX reduces to x >= 8 but applies the asymptotic tail only from 12 on, so for x in [8, 12)
    # the tail is left out. The Newton steps depend on it, so it is kept to match ARX.
    if x >= 12.0:
        r = 1.0 / (x * x)
        result += (0.5 * r) + ((1.0 + (r * (_B2 + (r * (_B4 + (r * (_B6 + (r * (_B8 + (r * _B10)))))))))) / x)
    return result


@compiled_ieee
def _trigamma(x: float) -> float:
    if math.isinf(x) or math.isnan(x):
        return _NAN
    if x == 0.0:
        return -_INF
    if x < 0.0:
        r = math.pi / math.sin(-math.pi * x)
        return -_trigamma_positive(1.0 - x) + (r * r)
    return _trigamma_positive(x)


@compiled_ieee
def _pitman_closed(t: float, a: float, u: float, n: float, keys: np.ndarray, values: np.ndarray) -> tuple[float, float, float, float, float, float]:
    """Pitman's likelihood equations and Jacobian in closed form, in ARX's order of operations
    (the sums over class sizes > 1 run in ascending size order, term by term)."""
    val0 = u - 1.0
    val1 = _digamma(val0 + (t / a) + 1.0)
    val2 = _trigamma((a + t + (a * val0)) / a)
    val3 = _trigamma((t / a) + 1.0)
    val4 = _digamma((t / a) + 1.0)
    val5 = a * a
    d1 = (val3 - val2) / val5
    d5 = (((a * val1) + (t * val2)) - (a * val4) - (t * val3)) / (val5 * a)
    d3 = (((((val5 * val0) - (t * t * val2)) + (t * t * val3)) - (2.0 * a * t * val1)) + (2.0 * a * t * val4)) / (
        val5 * val5
    )
    o1 = (val1 - val4) / a
    o3 = ((-t * val1) + (a * val0) + (t * val4)) / (a * a)
    o2 = _digamma(n + t) - _digamma(t + 1.0)
    d2 = _trigamma(t + 1.0) - _trigamma(n + t)
    d4 = 0.0
    o4 = 0.0
    val6 = _digamma(1.0 - a)
    val7 = _trigamma(1.0 - a)
    for i in range(keys.shape[0]):
        d4 += values[i] * (val7 - _trigamma(keys[i] - a))
        o4 += values[i] * (_digamma(keys[i] - a) - val6)
    return o1 - o2, o3 - o4, d2 - d1, 0.0 - d5, 0.0 - d5, 0.0 - d3 - d4


# --------------------------------------------------------------------------------------------
# Apache Commons Math 3 (special.Gamma) as ARX calls it for Pitman's final estimate.
# --------------------------------------------------------------------------------------------

_LANCZOS_G = 607.0 / 128.0
_LANCZOS = (
    0.99999999999999709182,
    57.156235665862923517,
    -59.597960355475491248,
    14.136097974741747174,
    -0.49191381609762019978,
    0.33994649984811888699e-4,
    0.46523628927048575665e-4,
    -0.98374475304879564677e-4,
    0.15808870322491248884e-3,
    -0.21026444172410488319e-3,
    0.21743961811521264320e-3,
    -0.16431810653676389022e-3,
    0.84418223983852743293e-4,
    -0.26190838401581408670e-4,
    0.36899182659531622704e-5,
)
_HALF_LOG_2_PI = 0.5 * math.log(2.0 * math.pi)
_SQRT_TWO_PI = 2.506628274631000502
_A0, _A1 = 0.611609510448141581788e-08, 0.624730830116465516210e-08
_B = (
    0.203610414066806987300e00,
    0.266205348428949217746e-01,
    0.493944979382446875238e-03,
    -0.851419432440314906588e-05,
    -0.643045481779353022248e-05,
    0.992641840672773722196e-06,
    -0.607761895722825260739e-07,
    0.195755836614639731882e-09,
)
_P = (
    0.611609510448141581786e-08,
    0.687167411306719860e-08,
    0.682016166849617100e-09,
    0.468684332294884800e-10,
    0.157283302771044640e-11,
    -0.124944157227636630e-12,
    0.434352993740859400e-14,
)
_Q = (0.305696107836522100e00, 0.546421308604229700e-01, 0.495683009382588700e-02, 0.269236946618636100e-03)
_C = -0.422784335098467139393487909917598e00
_CS = (
    0.577215664901532860606512090082402e00,
    -0.655878071520253881077019515145390e00,
    -0.420026350340952355290039348754298e-01,
    0.166538611382291489501700795102105e00,
    -0.421977345555443367482083012891874e-01,
    -0.962197152787697356211492167234820e-02,
    0.721894324666309954239501034044657e-02,
    -0.116516759185906511211397108401839e-02,
    -0.215241674114950972815729963053648e-03,
    0.128050282388116186153198626328164e-03,
    -0.201348547807882386556893914210218e-04,
    -0.125049348214267065734535947383309e-05,
    0.113302723198169588237412962033074e-05,
    -0.205633841697760710345015413002057e-06,
)


def _inv_gamma1pm1(x: float) -> float:
    """1 / Gamma(1 + x) - 1 for -0.5 <= x <= 1.5 (NSWC DGAM1)."""
    t = x if x <= 0.5 else (x - 0.5) - 0.5
    if t < 0.0:
        a = _A0 + t * _A1
        b = _B[7]
        for coef in _B[6::-1]:
            b = coef + t * b
        b = 1.0 + t * b
        c = _CS[13] + t * (a / b)
        for coef in _CS[12:0:-1]:
            c = coef + t * c
        c = _C + t * c
        return (t * c) / x if x > 0.5 else x * ((c + 0.5) + 0.5)
    p = _P[6]
    for coef in _P[5::-1]:
        p = coef + t * p
    q = _Q[3]
    for coef in _Q[2::-1]:
        q = coef + t * q
    q = 1.0 + t * q
    c = _CS[13] + (p / q) * t
    for coef in _CS[12::-1]:
        c = coef + t * c
    return (t / x) * ((c - 0.5) - 0.5) if x > 0.5 else x * c


def _lanczos(x: float) -> float:
    total = 0.0
    for i in range(len(_LANCZOS) - 1, 0, -1):
        total = total + (_LANCZOS[i] / (x + i))
    return total + _LANCZOS[0]


def _log_gamma1p(x: float) -> float:
    return -math.log1p(_inv_gamma1pm1(x))


def _log_gamma(x: float) -> float:
    if math.isnan(x) or x <= 0.0:
        return _NAN
    if x < 0.5:
        return _log_gamma1p(x) - math.log(x)
    if x <= 2.5:
        return _log_gamma1p((x - 0.5) - 0.5)
    if x <= 8.0:
        n = int(math.floor(x - 1.5))
        prod = 1.0
        for i in range(1, n + 1):
            prod *= x - i
        return _log_gamma1p(x - (n + 1)) + math.log(prod)
    if math.isinf(x):
        return _INF
    total = _lanczos(x)
    tmp = x + _LANCZOS_G + 0.5
    return ((x + 0.5) * math.log(tmp)) - tmp + _HALF_LOG_2_PI + _java_log(total / x)


def _gamma(x: float) -> float:
    if math.isnan(x) or math.isinf(x):
        return _NAN if (math.isnan(x) or x < 0) else _INF
    if x == float(round(x)) and x <= 0.0:
        return _NAN
    abs_x = abs(x)
    if abs_x <= 20.0:
        if x >= 1.0:
            prod = 1.0
            t = x
            while t > 2.5:
                t -= 1.0
                prod *= t
            return prod / (1.0 + _inv_gamma1pm1(t - 1.0))
        prod = x
        t = x
        while t < -0.5:
            t += 1.0
            prod *= t
        return 1.0 / (prod * (1.0 + _inv_gamma1pm1(t)))
    y = abs_x + _LANCZOS_G + 0.5
    gamma_abs = _SQRT_TWO_PI / abs_x * _java_pow(y, abs_x + 0.5) * _exp(-y) * _lanczos(abs_x)
    if x > 0.0:
        return gamma_abs
    return -math.pi / (x * math.sin(math.pi * x) * gamma_abs)


# --------------------------------------------------------------------------------------------
# Apache Commons Math 3: HypergeometricDistribution.probability via the saddle-point expansion
# --------------------------------------------------------------------------------------------

_EXACT_STIRLING_ERRORS = np.array((
    0.0,
    0.1534264097200273452913848,
    0.0810614667953272582196702,
    0.0548141210519176538961390,
    0.0413406959554092940938221,
    0.03316287351993628748511048,
    0.02767792568499833914878929,
    0.02374616365629749597132920,
    0.02079067210376509311152277,
    0.01848845053267318523077934,
    0.01664469118982119216319487,
    0.01513497322191737887351255,
    0.01387612882307074799874573,
    0.01281046524292022692424986,
    0.01189670994589177009505572,
    0.01110455975820691732662991,
    0.010411265261972096497478567,
    0.009799416126158803298389475,
    0.009255462182712732917728637,
    0.008768700134139385462952823,
    0.008330563433362871256469318,
    0.007934114564314020547248100,
    0.007573675487951840794972024,
    0.007244554301320383179543912,
    0.006942840107209529865664152,
    0.006665247032707682442354394,
    0.006408994188004207068439631,
    0.006171712263039457647532867,
    0.005951370112758847735624416,
    0.005746216513010115682023589,
    0.005554733551962801371038690,
))

# Compiled (Zayatz's model asks for P(X = 1) at every class size of every node a search checks):
# math.log and math.exp are the C library's, as in the interpreter, and give -inf / NaN / inf
# where the interpreter's _log and _exp return them.


@compiled_ieee
def _stirling_error(z: float) -> float:
    """Commons Math's Stirling error for a whole number ``z`` (a count, as a double): the table
    below 15 (ARX calls it with counts only, so its log-gamma branch for halves is never taken)."""
    if z < 15.0:
        z2 = 2.0 * z
        if math.floor(z2) != z2:
            raise ValueError("the Stirling error is compiled for whole and half numbers only")
        return float(_EXACT_STIRLING_ERRORS[int(z2)])
    z2 = z * z
    return (
        0.083333333333333333333
        - (
            0.00277777777777777777778
            - (0.00079365079365079365079365 - (0.000595238095238095238095238 - 0.0008417508417508417508417508 / z2) / z2)
            / z2
        )
        / z2
    ) / z


@compiled_ieee
def _deviance_part(x: float, mu: float) -> float:
    if abs(x - mu) < 0.1 * (x + mu):
        d = x - mu
        v = d / (x + mu)
        s1 = v * d
        s = math.nan
        ej = 2.0 * x * v
        v = v * v
        j = 1
        while s1 != s:
            s = s1
            ej *= v
            s1 = s + ej / ((j * 2) + 1)
            j += 1
        return s1
    return x * math.log(x / mu) + mu - x


@compiled_ieee
def _log_binomial_probability(x: int, n: int, p: float, q: float) -> float:
    if x == 0:
        if p < 0.1:
            return -_deviance_part(float(n), n * q) - n * p
        return n * math.log(q)
    if x == n:
        if q < 0.1:
            return -_deviance_part(float(n), n * p) - n * q
        return n * math.log(p)
    ret = (
        _stirling_error(float(n))
        - _stirling_error(float(x))
        - _stirling_error(float(n - x))
        - _deviance_part(float(x), n * p)
        - _deviance_part(float(n - x), n * q)
    )
    f = (2.0 * math.pi * x * (n - x)) / n
    return -0.5 * math.log(f) + ret


@compiled_ieee
def _hypergeometric_p1(population: int, successes: int, sample: int) -> float:
    """P(X = 1) for X ~ Hypergeometric(population, successes, sample), as Commons Math computes it."""
    lower = max(0, successes - (population - sample))
    upper = min(sample, successes)
    if not lower <= 1 <= upper:
        return 0.0
    p = sample / population
    q = (population - sample) / population
    p1 = _log_binomial_probability(1, successes, p, q)
    p2 = _log_binomial_probability(sample - 1, population - successes, p, q)
    p3 = _log_binomial_probability(sample, population, p, q)
    log_p = p1 + p2 - p3
    return 0.0 if log_p == -math.inf else math.exp(log_p)


# --------------------------------------------------------------------------------------------
# Newton-Raphson in two dimensions, as de.linearbits.newtonraphson.NewtonRaphson2D runs it
# --------------------------------------------------------------------------------------------
#
# The whole solve is compiled: a search evaluates an estimator at thousands of transformations, and
# the Python loop around compiled steps took most of that time. Java's Math.log and Math.pow are
# the C library's log and pow here too (``_java_log``, ``_java_pow``); a constant exponent is
# passed in as a value (``two``), so that the compiler cannot turn pow(x, 2.0) into x * x, which
# may round differently. tests/risk/test_population.py runs the kernels' Python form on numpy
# scalars beside the compiled one, bit for bit.

#: which equations a Newton step evaluates
_SNB, _PITMAN_CLOSED, _PITMAN_ITERATIVE = 0, 1, 2


@compiled_ieee
def _snb_equations(a: float, b: float, k: float, f: float, c1: float, c2: float,
                   two: float) -> tuple[float, float, float, float, float, float]:
    """ARX ``ModelSNB``'s two equations and their Jacobian at (a, b), in ARX's order of operations."""
    dividend = (1 - f) * (1 - b)
    rx = k * f * _java_pow(b / (1 - dividend), a) * (((a * dividend) / (1 - dividend)) + 1) - c1
    ry = k * a * _java_pow(b, a) * (f * f) * (1 - b) / 2 * _java_pow(1 - dividend, a + 2) * (2 - (1 - a) * dividend) - c2
    val0 = (b - 1.0) * (f - 1.0)
    val1 = val0 - 1.0
    val2 = 1.0 - val0
    val3 = a * val0 / val1 - 1.0
    val4 = _java_pow(-b / val1, a)
    val6 = _java_pow(f, two)
    val7 = _java_pow(b, a)
    val8 = val7 * val6 * k
    val9 = a * val8
    val10 = 2.0 * _java_pow(val2, a + 2.0)
    val11 = _java_pow(val1, two)
    val13 = f * k
    val14 = f - 1.0
    val15 = a - 1.0
    val16 = b - 1.0
    val17 = val15 * val0
    val18 = val6 * k
    val19 = val17 + 2.0
    val20 = val18 * val19
    x1 = -val13 * _java_log(-b / val1) * val3 * val4 - (val13 * val4 * val0) / val1
    x2 = a * val13 * (1.0 / val1 - (b * val14) / val11) * val3 * _java_pow(-b / val1, val15) - val13 * val4 * (
        (a * val14) / val1 - (a * val16 * _java_pow(val14, two)) / val11
    )
    y1 = (
        (val9 * _java_log(val2) * val19 * val16) / val10
        - (val9 * _java_pow(val16, two) * val14) / val10
        - (val7 * val20 * val16) / val10
        - (a * val7 * val18 * _java_log(b) * val19 * val16) / val10
    )
    y2 = (
        -(val9 * val19) / val10
        - (_java_pow(a, two) * _java_pow(b, val15) * val20 * val16) / val10
        - (a * val7 * val18 * val17) / val10
        - (a * val7 * val20 * (a + 2.0) * val0) / (2.0 * _java_pow(val2, a + 3.0))
    )
    return rx, ry, x1, x2, y1, y2


@compiled_ieee
def _newton_step(kind: int, x: float, y: float, scalars: np.ndarray, keys: np.ndarray, values: np.ndarray,
                 key_ends: np.ndarray) -> tuple[float, float, float, float, float, float]:
    """The equations of ``kind`` and their Jacobian at (x, y). ``scalars``: SNB's (k, f, c1, c2, 2.0);
    Pitman's (u, n, u_end, n_end)."""
    if kind == _SNB:
        return _snb_equations(x, y, scalars[0], scalars[1], scalars[2], scalars[3], scalars[4])
    if kind == _PITMAN_CLOSED:
        return _pitman_closed(x, y, scalars[0], scalars[1], keys, values)
    return _pitman_iterative(x, y, int(scalars[2]), int(scalars[3]), key_ends, values, True)


@compiled_ieee
def _newton_solve(kind: int, x0: float, y0: float, scalars: np.ndarray, keys: np.ndarray, values: np.ndarray,
                  key_ends: np.ndarray, start_x: np.ndarray, start_y: np.ndarray,
                  theta_nonnegative: bool) -> tuple[float, float]:
    """The given start value first, then ARX's 16 prepared start values; NaN when all fail. A try
    fails when a coordinate becomes NaN, after 1,000 steps, or (``theta_nonnegative``) when x < 0."""
    for s in range(start_x.shape[0] + 1):
        x = x0 if s == 0 else start_x[s - 1]
        y = y0 if s == 0 else start_y[s - 1]
        iterations = 0
        while True:
            fx, fy, j11, j12, j21, j22 = _newton_step(kind, x, y, scalars, keys, values, key_ends)
            if abs(fx) <= _ACCURACY and abs(fy) <= _ACCURACY:
                return x, y
            # Invert the Jacobian explicitly, multiply and subtract, in the library's order.
            # (a numpy scalar: the Python form of this loop divides by zero as IEEE 754 does, too)
            det = np.float64(j11) * j22 - np.float64(j12) * j21
            scalar = np.float64(1.0) / det
            i11, i12, i21, i22 = j22 * scalar, -j12 * scalar, -j21 * scalar, j11 * scalar
            dx = i11 * fx + i12 * fy
            dy = i21 * fx + i22 * fy
            x -= dx
            y -= dy
            if math.isnan(x) or math.isnan(y) or iterations >= _ITERATIONS_PER_TRY:
                break
            iterations += 1
            if theta_nonnegative and not x >= 0:
                break
    return _NAN, _NAN


_START_X = np.array([x for x, _ in _START_VALUES], dtype=np.float64)
_START_Y = np.array([y for _, y in _START_VALUES], dtype=np.float64)
_NO_INTS = np.zeros(0, dtype=np.int64)
_NO_FLOATS = np.zeros(0, dtype=np.float64)


# --------------------------------------------------------------------------------------------
# The models
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Histogram:
    sizes: np.ndarray  # distinct class sizes, ascending (int64)
    counts: np.ndarray  # number of classes of each size
    records: float
    classes: float

    def count_of(self, size: int) -> float:
        hit = np.flatnonzero(self.sizes == size)
        return float(self.counts[hit[0]]) if hit.size else 0.0


#: classes + records above which Pitman's iterative fallback is not attempted (see _pitman)
_ITERATIVE_WORK_LIMIT = 2_000_000


@compiled_ieee
def _pitman_iterative(t: float, a: float, u_end: int, n_end: int, key_ends: np.ndarray, values: np.ndarray,
                      derivatives: bool) -> tuple[float, float, float, float, float, float]:
    """Pitman's likelihood equations (and Jacobian when ``derivatives``) in ARX's iterative form:
    every sum runs term by term in Java's order (i = 1 .. u-1, i = 1 .. n-1, j = 1 .. key-1)."""
    o1 = o3 = d1 = d5 = d3 = 0.0
    for step in range(1, u_end):
        i = float(step)
        val0 = t + (i * a)
        val1 = 1.0 / val0
        o1 += val1
        o3 += i * val1
        if derivatives:
            val3 = 1.0 / (val0 * val0)
            val4 = i * val3
            d1 += val3
            d5 += val4
            d3 += i * val4
    o2 = d2 = 0.0
    for step in range(1, n_end):
        w0 = t + float(step)
        o2 += 1.0 / w0
        if derivatives:
            d2 += 1.0 / (w0 * w0)
    o4 = d4 = 0.0
    for k in range(key_ends.shape[0]):
        inner_o = inner_d = 0.0
        for step in range(1, key_ends[k]):
            j = float(step) - a
            inner_o += 1.0 / j
            if derivatives:
                inner_d += 1.0 / (j * j)
        o4 += values[k] * inner_o
        if derivatives:
            d4 += values[k] * inner_d
    return o1 - o2, o3 - o4, d2 - d1, 0.0 - d5, 0.0 - d5, 0.0 - d3 - d4


def _pitman(h: _Histogram, population: float) -> float:
    """Pitman's model (Hoshino 2001), fitted by maximum likelihood as ARX's ModelPitman does."""
    c1 = h.count_of(1)
    c2 = h.count_of(2)
    u = h.classes
    n = h.records
    c2 = c2 if c2 != 0 else 1.0
    c = (c1 * (c1 - 1)) / c2
    t0 = ((n * u * c) - (c1 * (n - 1) * ((2 * u) + c))) / (((2 * c1 * u) + (c1 * c)) - (n * c))
    a0 = ((t0 * (c1 - n)) + ((n - 1) * c1)) / (n * u)

    keep = h.sizes != 1
    keys = [float(k) for k in h.sizes[keep]]
    values = [float(v) for v in h.counts[keep]]

    key_array = np.asarray(keys, dtype=np.float64)
    value_array = np.asarray(values, dtype=np.float64)
    # Loop ranges of the iterative form: i = 1 .. u-1, i = 1 .. n-1, j = 1 .. key-1.
    u_end = int(math.ceil(u))
    n_end = int(math.ceil(n))
    key_ends = np.array([int(math.ceil(k)) for k in keys], dtype=np.int64)
    scalars = np.array([u, n, u_end, n_end], dtype=np.float64)

    def solve(kind: int) -> tuple[float, float]:
        x, y = _newton_solve(kind, t0, a0, scalars, key_array, value_array, key_ends, _START_X, _START_Y, True)
        return float(x), float(y)

    # The iterative form costs O(classes + records) per Newton step. ARX bounds it with a wall-clock
    # limit (1 s); we bound the same work deterministically, so very large tables report Pitman as
    # unavailable (as ARX would after its time limit) instead of solving for minutes.
    iterative_allowed = u + n <= _ITERATIVE_WORK_LIMIT
    t, a = solve(_PITMAN_CLOSED)
    if math.isnan(t) or math.isnan(a):
        if not iterative_allowed:
            return _NAN
        t, a = solve(_PITMAN_ITERATIVE)
    elif iterative_allowed:
        tx, ty = _pitman_iterative(t, a, u_end, n_end, key_ends, value_array, False)[:2]
        if math.isnan(tx) or math.isnan(ty) or abs(tx) > _ACCURACY or abs(ty) > _ACCURACY:
            t, a = solve(_PITMAN_ITERATIVE)
    return _pitman_result(t, a, population)


def _pitman_result(t: float, a: float, population: float) -> float:
    if math.isnan(a) or math.isnan(t) or a == 0:
        return _NAN
    scale = _java_pow(population, a)
    with np.errstate(all="ignore"):
        val1 = float(np.float64(_exp(_log_gamma(t + 1.0) - _log_gamma(t + a))) * np.float64(scale))
        val2 = float(np.float64(_gamma(t + 1.0)) / np.float64(_gamma(t + a)) * np.float64(scale))
    val1 = val1 if 0.0 <= val1 <= population else _NAN
    val2 = val2 if 0.0 <= val2 <= population else _NAN
    if math.isnan(val1) and math.isnan(val2):
        return _NAN
    if not math.isnan(val1) and not math.isnan(val2):
        return max(val1, val2)
    return val2 if math.isnan(val1) else val1


@compiled_ieee
def _zayatz_denominator(sizes: np.ndarray, counts: np.ndarray, classes: float, population: int, sample: int) -> float:
    """The sum over class sizes j of (classes of size j / classes) P(a population class of size j has
    one record in the sample), sizes in ascending order."""
    temp = 0.0
    for i in range(sizes.shape[0]):
        temp += (counts[i] / classes) * _hypergeometric_p1(population, sizes[i], sample)
    return temp


def _zayatz(h: _Histogram, population: float) -> float:
    """Zayatz (1991): sample uniques times P(population unique | sample unique), over f."""
    c1 = h.count_of(1)
    big = int(population) if population <= _INT_MAX else _INT_MAX  # ARX caps Java int arguments
    small = int(h.records) if h.records <= _INT_MAX else _INT_MAX
    temp = _zayatz_denominator(h.sizes, h.counts, h.classes, big, small)
    with np.errstate(all="ignore"):
        uniqueness = float(np.float64((c1 / h.classes) * _hypergeometric_p1(big, 1, small)) / np.float64(temp))
        fraction = np.float64(h.records) / np.float64(population)
        return float(np.float64(c1 * uniqueness) / fraction)


@compiled_ieee
def _shlosser_classes(sizes: np.ndarray, counts: np.ndarray, classes: float, c1: float, f: float) -> float:
    """Shlosser's estimate of the number of non-empty population classes, as ARX's ModelSNB writes
    it (including its ``- 1`` per histogram entry in the second sum), sizes in ascending order."""
    var1 = var2 = var3 = var4 = 0.0
    var5 = f * f
    for i in range(sizes.shape[0]):
        val0 = float(sizes[i])
        val1 = float(counts[i])
        val2 = _java_pow(1 - f, val0) * val1
        var1 += val0 * var5 * _java_pow(1 - var5, val0 - 1) * val1
        var2 += val2 * _java_pow(1 + f, val0) - 1
        var3 += val2
        var4 += val0 * f * _java_pow(1 - f, val0 - 1) * val1
    return classes + c1 * (var1 / var2) * (var3 / var4) * (var3 / var4)


def _snb(h: _Histogram, population: float) -> float:
    """Slide negative binomial model (Chen & Keller-McNulty 1998) as ARX's ModelSNB fits it."""
    c1 = h.count_of(1)
    c2 = h.count_of(2)
    f = h.records / population

    k = _shlosser_classes(h.sizes, h.counts, h.classes, c1, f)
    scalars = np.array([k, f, c1, c2, 2.0], dtype=np.float64)
    a, b = _newton_solve(_SNB, 1.0, 1.0, scalars, _NO_FLOATS, _NO_FLOATS, _NO_INTS, _START_X, _START_Y, False)
    with np.errstate(all="ignore"):
        return float(np.float64(k) * np.float64(_java_pow(float(b), float(a))))


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PopulationUniquenessEstimates:
    """Estimated share of the population that is unique on the quasi-identifiers.

    Each estimate is the fraction of the *population* (not of the sample) in a class of size 1;
    ``None`` where ARX reports the estimate unavailable (its solver failed or gave 0).
    The ``*_count`` fields hold the estimated number of population uniques.
    """

    population_size: int
    sampling_fraction: float
    pitman: float | None
    zayatz: float | None
    snb: float | None
    dankar: float | None
    pitman_count: float | None
    zayatz_count: float | None
    snb_count: float | None
    dankar_count: float | None
    dankar_model: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: the four fractions, Dankar's chosen model, population and fraction."""
        return {
            "pitman": self.pitman,
            "zayatz": self.zayatz,
            "snb": self.snb,
            "dankar": self.dankar,
            "dankar_model": self.dankar_model,
            "population_size": self.population_size,
            "sampling_fraction": self.sampling_fraction,
        }


def _validate_sizes(class_sizes: object) -> np.ndarray:
    arr = np.asarray(class_sizes)
    if arr.ndim != 1:
        raise InputError(
            f"class_sizes must be a 1-D array of class sizes; got {arr.ndim} dimension(s)",
            hint="pass one entry per equivalence class, e.g. np.array([1, 1, 3])",
        )
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise InputError(
            f"class_sizes must hold integers; got dtype {arr.dtype}",
            hint="pass the number of records in each equivalence class as ints",
        )
    arr = arr.astype(np.int64, copy=False)
    if arr.size and arr.min() < 1:
        idx = int(np.argmin(arr))
        raise InputError(
            f"class_sizes[{idx}] is {arr[idx]}; every equivalence class holds at least one record",
            hint="drop empty classes (and suppressed records) before computing risks",
        )
    return arr


def _histogram(sizes: np.ndarray) -> _Histogram:
    freq = np.bincount(sizes)
    distinct = np.flatnonzero(freq)
    counts = freq[distinct]
    return _Histogram(
        sizes=distinct.astype(np.int64),
        counts=counts.astype(np.int64),
        records=float(int(sizes.sum())),
        classes=float(sizes.size),
    )


def population_uniqueness(
    class_sizes: np.ndarray,
    *,
    population_size: int | None = None,
    sampling_fraction: float | None = None,
) -> PopulationUniquenessEstimates:
    """Estimate population uniqueness from the sizes of the sample's equivalence classes.

    Parameters
    ----------
    class_sizes : numpy.ndarray
        1-D int array, the number of records in every equivalence class of the sample (suppressed
        records left out). The sample size is its sum.
    population_size : int, optional
        Size of the population the sample was drawn from (at least the sample size).
    sampling_fraction : float, optional
        Sample size / population size, in (0, 1]. As ARX does, the population is then
        ``round(n / sampling_fraction)``. Give exactly one of the two.

    Returns
    -------
    PopulationUniquenessEstimates
        Pitman, Zayatz, SNB and Dankar estimates of the population-unique fraction, the estimated
        counts, and the model Dankar's rule chose ("PITMAN", "ZAYATZ", "SNB"; "DANKAR" when the
        sample has no uniques and every estimate is 0).

    Raises
    ------
    ConfigError
        If both or neither of ``population_size`` and ``sampling_fraction`` are given, the
        fraction is outside (0, 1], or the population is smaller than the sample.
    InputError
        If ``class_sizes`` is not a 1-D array of positive integers, or is empty.

    Notes
    -----
    Reproduces ARX 3.9.2 (``RiskModelPopulationUniqueness``) bit for bit, including when an
    estimate counts as unavailable (NaN or exactly 0). Models:

    - Pitman: Hoshino, "Applying Pitman's sampling formula to microdata disclosure risk
      assessment", J. Official Statistics 17(4), 2001.
    - Zayatz: Zayatz, "Estimation of the percent of unique population elements on a microdata
      file using the sample", Census Bureau SRD Report 91/08, 1991.
    - SNB: Chen & Keller-McNulty, "Estimation of identification disclosure risk in microdata",
      J. Official Statistics 14(1), 1998.
    - Dankar's rule: Dankar, El Emam, Neisa & Roffey, "Estimating the re-identification risk of
      clinical data sets", BMC Med. Inform. Decis. Mak. 12:66, 2012. With f <= 0.1 Pitman, falling
      back to Zayatz; otherwise the smaller of Zayatz and SNB (Zayatz when SNB fails).

    Examples
    --------
    >>> import numpy as np
    >>> r = population_uniqueness(np.array([1, 1, 1, 1, 1]), sampling_fraction=0.5)
    >>> r.population_size, r.zayatz, r.dankar_model
    (10, 1.0, 'ZAYATZ')
    >>> population_uniqueness(np.array([2, 3]), population_size=50).dankar
    0.0
    """
    sizes = _validate_sizes(class_sizes)
    if sizes.size == 0:
        raise InputError("class_sizes is empty: the sample has no records", hint="pass at least one class")
    if (population_size is None) == (sampling_fraction is None):
        raise ConfigError(
            "give exactly one of population_size and sampling_fraction",
            hint="e.g. population_uniqueness(sizes, sampling_fraction=0.01) or population_size=317238626",
        )
    hist = _histogram(sizes)
    n = int(hist.records)
    if sampling_fraction is not None:
        f = float(sampling_fraction)
        if not 0.0 < f <= 1.0:
            raise ConfigError(
                f"sampling_fraction must be in (0, 1]; got {sampling_fraction!r}",
                hint="the sampling fraction is sample size / population size, e.g. 0.01",
            )
        population = size_from_fraction(n, sampling_fraction=f)
    else:
        if isinstance(population_size, bool) or not isinstance(population_size, (int, np.integer)):
            raise ConfigError(
                f"population_size must be an integer; got {population_size!r}",
                hint="pass the number of people in the population, e.g. 317238626",
            )
        population = int(population_size)
    if population < n:
        raise ConfigError(
            f"the population ({population}) is smaller than the sample ({n} records)",
            hint="population_size must be at least the number of records; a sampling fraction at most 1",
        )
    pop = float(population)
    fraction = n / pop

    uniques = hist.count_of(1)
    if uniques == 0:
        return PopulationUniquenessEstimates(population, fraction, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, "DANKAR")

    zayatz_raw = _zayatz(hist, pop)
    if fraction <= 0.1:
        pitman = _pitman(hist, pop)
        if _valid(pitman):
            dankar, model = pitman, "PITMAN"
        else:
            dankar, model = zayatz_raw, "ZAYATZ"
        snb = _snb(hist, pop)
    else:
        snb = _snb(hist, pop)
        if _valid(snb):
            dankar, model = (zayatz_raw, "ZAYATZ") if zayatz_raw < snb else (snb, "SNB")
        else:
            dankar, model = zayatz_raw, "ZAYATZ"
        pitman = _pitman(hist, pop)

    def reported(value: float) -> tuple[float | None, float | None]:
        if not _valid(value):
            return None, None  # ARX reports 0 and isAvailableEstimate(...) == false
        return value / pop, value

    p_frac, p_count = reported(pitman)
    z_frac, z_count = reported(zayatz_raw)
    s_frac, s_count = reported(snb)
    d_frac, d_count = reported(dankar)
    return PopulationUniquenessEstimates(
        population_size=population,
        sampling_fraction=fraction,
        pitman=p_frac,
        zayatz=z_frac,
        snb=s_frac,
        dankar=d_frac,
        pitman_count=p_count,
        zayatz_count=z_count,
        snb_count=s_count,
        dankar_count=d_count,
        dankar_model=model,
    )


def unique_fraction(class_sizes: np.ndarray, *, population_size: int, model: str) -> float:
    """One estimate of ``population_uniqueness`` alone (0.0 where ARX's estimate is unavailable).

    ``model`` is ``pitman``, ``zayatz``, ``snb`` or ``dankar``: the same value as
    ``population_uniqueness(...).<model>``, without computing the other estimators (a search
    evaluates it many times per transformation).

    Examples
    --------
    >>> import numpy as np
    >>> unique_fraction(np.array([1, 1, 1, 1, 1]), population_size=10, model="zayatz")
    1.0
    """
    sizes = _validate_sizes(class_sizes)
    hist = _histogram(sizes)
    if sizes.size == 0 or hist.count_of(1) == 0:
        return 0.0
    pop = float(population_size)
    if model == "zayatz":
        value = _zayatz(hist, pop)
    elif model == "pitman":
        value = _pitman(hist, pop)
    elif model == "snb":
        value = _snb(hist, pop)
    elif hist.records / pop <= 0.1:
        value = _pitman(hist, pop)
        if not _valid(value):
            value = _zayatz(hist, pop)
    else:
        zayatz, snb = _zayatz(hist, pop), _snb(hist, pop)
        value = (zayatz if zayatz < snb else snb) if _valid(snb) else zayatz
    return value / pop if _valid(value) else 0.0


def _valid(value: float) -> bool:
    # ARX's isValid: neither NaN nor exactly zero.
    return not math.isnan(value) and value != 0.0
