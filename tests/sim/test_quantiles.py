import pytest

from agent_checkout.sim.quantiles import LogHistogram


def test_percentiles_within_one_percent_and_capped_at_max():
    histogram = LogHistogram()
    for value in range(1, 1001):  # 1..1000
        histogram.add(float(value))
    assert histogram.count == 1000 and histogram.max == 1000.0
    assert histogram.quantile(50) == pytest.approx(500, rel=0.01)
    assert histogram.quantile(50) >= 500
    assert histogram.quantile(95) == pytest.approx(950, rel=0.01)
    assert histogram.quantile(100) == 1000.0
    assert histogram.mean == 500.5


def test_zeros_empty_and_merge():
    empty = LogHistogram()
    assert empty.quantile(50) == 0.0 and empty.summary()["count"] == 0
    a, b = LogHistogram(), LogHistogram()
    for _ in range(3):
        a.add(0.0)
    b.add(2.0)
    a.merge(b)
    assert (a.count, a.zeros, a.quantile(75), a.quantile(76)) == (4, 3, 0.0, 2.0)
    assert len(a.buckets) == 1
