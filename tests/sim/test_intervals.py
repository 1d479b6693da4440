"""Student-t quantiles are right for any number of replications, not only up to 30."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from agent_checkout.sim.intervals import regularized_beta, student_t_quantile, t95

# Two-sided 95% critical values t(0.975, df), as statistical tables print them (6 decimals).
PUBLISHED = {
    1: 12.706205,
    2: 4.302653,
    3: 3.182446,
    10: 2.228139,
    29: 2.045230,
    30: 2.042272,
    31: 2.039513,
    40: 2.021075,
    60: 2.000298,
    120: 1.979930,
    1000: 1.962339,
}


@pytest.mark.parametrize(("df", "expected"), sorted(PUBLISHED.items()))
def test_published_critical_values(df, expected):
    assert student_t_quantile(0.975, df) == pytest.approx(expected, abs=1e-6)
    assert t95(df + 1) == student_t_quantile(0.975, df)


def test_closed_forms_and_the_normal_limit():
    # df 1 is the Cauchy distribution, df 2 has a closed form: both to double precision.
    assert student_t_quantile(0.975, 1) == pytest.approx(math.tan(0.475 * math.pi), rel=1e-12)
    assert student_t_quantile(0.975, 2) == pytest.approx(0.95 / math.sqrt(0.04875), rel=1e-12)
    z = NormalDist().inv_cdf(0.975)
    assert z < student_t_quantile(0.975, 10**9) == pytest.approx(z, abs=1e-8)
    # Either side of the switch to the 1/df expansion at 1,000 degrees of freedom: the step is
    # the slope, about (z^3 + z) / 4 / df^2 = 2.380e-6, with no jump.
    step = student_t_quantile(0.975, 999) - student_t_quantile(0.975, 1000)
    assert step == pytest.approx(2.380e-6, rel=1e-3)
    assert student_t_quantile(0.025, 10) == -student_t_quantile(0.975, 10)
    assert student_t_quantile(0.5, 7) == 0.0
    assert student_t_quantile(0.995, 5) == pytest.approx(4.032143, abs=1e-6)


def test_critical_values_fall_as_replications_grow():
    values = [t95(n) for n in range(2, 200)]
    assert all(a > b for a, b in zip(values, values[1:], strict=False))
    assert values[-1] > NormalDist().inv_cdf(0.975)
    assert t95(1) == 0.0


def test_regularized_beta_known_values():
    assert regularized_beta(1.0, 1.0, 0.3) == pytest.approx(0.3, abs=1e-15)  # uniform
    assert regularized_beta(2.0, 3.0, 0.4) == pytest.approx(0.5248, abs=1e-12)
    assert regularized_beta(0.5, 0.5, 0.5) == pytest.approx(0.5, abs=1e-12)


@pytest.mark.parametrize(("probability", "df"), [(0.0, 3), (1.0, 3), (0.975, 0), (0.975, -1)])
def test_bad_arguments_are_refused(probability, df):
    with pytest.raises(ValueError):
        student_t_quantile(probability, df)
