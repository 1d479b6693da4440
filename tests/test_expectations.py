"""Expectations on a summary, without running anything: dotted paths (keys may hold dots),
bounds, and baselines within absolute, relative and 95%-interval tolerances."""

from __future__ import annotations

import pytest

from agent_checkout.expectations import (
    NoSuchMetric,
    baseline_misses,
    baseline_of,
    metric,
    metric_misses,
)
from agent_checkout.sim.expect import ExpectSpec

SUMMARY = {
    "sessions": 100,
    "orders": 4,
    "conversion_rate": 0.04,
    "gmv": 20_000,
    "unhandled_errors": 0,
    "fees": {"ai_platform": 800, "payment_processor": 610},
    "latency_ms": {"northwind.search": {"p50": 41.5}},
    "companies": {"Marketplace": {"net": 1_200}},
}


def test_a_dotted_path_finds_keys_that_hold_dots():
    assert metric(SUMMARY, "fees.ai_platform") == 800
    assert metric(SUMMARY, "latency_ms.northwind.search.p50") == 41.5
    assert metric(SUMMARY, "companies.Marketplace.net") == 1_200
    with pytest.raises(NoSuchMetric) as missing:
        metric(SUMMARY, "fees.marketplace")
    assert str(missing.value.args[0]) == (
        "fees.marketplace: missing (fees holds ai_platform, payment_processor)"
    )


def test_bounds_name_each_miss_with_the_figures_around_it():
    spec = ExpectSpec.model_validate(
        {
            "metrics": {
                "orders": {"min": 4},
                "fees.ai_platform": {"max": 500},
                "conversion_rate": {"min": 0.05, "max": 0.2},
                "fees.marketplace": {"min": 1},
            }
        }
    )
    misses = metric_misses(spec, SUMMARY)
    assert [(m.metric, m.expected, m.actual) for m in misses] == [
        ("fees.ai_platform", "<= 500", 800),
        ("conversion_rate", "between 0.05 and 0.2", 0.04),
        ("fees.marketplace", ">= 1", "missing (fees holds ai_platform, payment_processor)"),
    ]
    assert misses[0].render().splitlines() == [
        "fees.ai_platform: expected <= 500, actual 800",
        "  metric                  value",
        "  sessions                100",
        "  orders                  4",
        "  conversion_rate         0.04",
        "  gmv                     20000",
        "  unhandled_errors        0",
        "  fees.ai_platform        800",
        "  fees.payment_processor  610",
    ]


def test_baselines_hold_within_their_tolerances():
    spec = ExpectSpec.model_validate(
        {
            "replications": 3,
            "baseline": {
                "metrics": {
                    "orders": {"absolute": 1},
                    "gmv": {"relative": 0.1},
                    "conversion_rate": {"ci95": True},
                }
            },
        }
    )
    replications = [dict(SUMMARY, conversion_rate=rate) for rate in (0.03, 0.04, 0.05)]
    stored = baseline_of(spec, SUMMARY, replications, {"scenario": "s"})
    assert stored["metrics"]["orders"] == {"value": 4, "mean": 4.0, "low": 4.0, "high": 4.0}
    assert stored["metrics"]["conversion_rate"]["low"] == pytest.approx(0.015159, abs=1e-6)
    assert baseline_misses(spec, SUMMARY, replications, stored, "b.json") == []

    moved = dict(SUMMARY, orders=6, gmv=22_001)
    shifted = [dict(moved, conversion_rate=rate) for rate in (0.07, 0.08, 0.09)]
    misses = baseline_misses(spec, moved, shifted, stored, "b.json")
    assert [(m.metric, m.expected, m.actual) for m in misses] == [
        ("orders", "within ±1 of baseline 4", 6),
        ("gmv", "within ±10.0% of baseline 20000", 22_001),
        ("conversion_rate", "mean within the baseline's 95% interval [0.015159, 0.064841]", 0.08),
    ]
