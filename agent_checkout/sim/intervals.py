"""Student-t quantiles for confidence intervals of a mean over replications, for any number of
replications: a table that stops at 30 degrees of freedom (and 1.96 beyond it) understates the
interval by up to 4%, and no statistics package is needed for the exact figure.

The t distribution's tail is a regularized incomplete beta function,
``P(T > t) = I_x(df/2, 1/2) / 2`` with ``x = df / (df + t²)``, evaluated by its continued
fraction (Numerical Recipes, ``betacf``); the quantile inverts it by bisection, which cannot
diverge, to double precision. From 1,000 degrees of freedom on, where the log-gamma terms start
to cancel, the Cornish-Fisher expansion in ``1/df`` around the normal quantile (Abramowitz and
Stegun 26.7.5) is used instead: the two agree to 1e-13 at 1,000.
"""

from __future__ import annotations

import math
from functools import cache
from statistics import NormalDist

_EPSILON = 1e-15
_TINY = 1e-300
_EXPANSION_FROM = 1000  # degrees of freedom


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz's method)."""
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    result = d
    for m in range(1, 10_000):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            result *= c * d
        if abs(c * d - 1.0) < _EPSILON:
            break
    return result


def regularized_beta(a: float, b: float, x: float) -> float:
    """``I_x(a, b)``, the regularized incomplete beta function, for ``0 <= x <= 1``."""
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"x must be within [0, 1], not {x}")
    if x in (0.0, 1.0):
        return x
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):  # where the fraction converges fast
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def student_t_tail(t: float, df: float) -> float:
    """``P(T > t)`` for Student's t with ``df`` degrees of freedom."""
    if df <= 0:
        raise ValueError(f"degrees of freedom must be positive, not {df}")
    upper = 0.5 * regularized_beta(df / 2.0, 0.5, df / (df + t * t))
    return upper if t >= 0 else 1.0 - upper


@cache
def student_t_quantile(probability: float, df: float) -> float:
    """The ``probability`` quantile of Student's t with ``df`` degrees of freedom, e.g.
    ``student_t_quantile(0.975, 30) == 2.0422724563...``."""
    if not 0.0 < probability < 1.0:
        raise ValueError(f"probability must be between 0 and 1, not {probability}")
    if probability < 0.5:
        return -student_t_quantile(1.0 - probability, df)
    if probability == 0.5:
        return 0.0
    if df >= _EXPANSION_FROM:
        return _expansion(probability, df)
    tail = 1.0 - probability
    low, high = 0.0, 1.0
    while student_t_tail(high, df) > tail:
        low, high = high, high * 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if middle in (low, high):
            break
        if student_t_tail(middle, df) > tail:
            low = middle
        else:
            high = middle
    return (low + high) / 2.0


def _expansion(probability: float, df: float) -> float:
    """Cornish-Fisher: the normal quantile plus four terms in ``1/df`` (A&S 26.7.5)."""
    z = NormalDist().inv_cdf(probability)
    terms = (
        (z**3 + z) / 4,
        (5 * z**5 + 16 * z**3 + 3 * z) / 96,
        (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384,
        (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160,
    )
    return z + sum(term / df ** (power + 1) for power, term in enumerate(terms))


def t95(n: int) -> float:
    """The two-sided 95% critical value for the mean of ``n`` values (``n - 1`` degrees of
    freedom); 0 for fewer than two values, where there is no interval."""
    return student_t_quantile(0.975, n - 1) if n >= 2 else 0.0
