"""Replications: derived seeds, identical when repeated, parallel equal to serial, and fee
models compared on common random numbers."""

from __future__ import annotations

import yaml

from agent_checkout.sim.compare import compare_models
from agent_checkout.sim.replications import (
    interval,
    pooled_summary,
    replication_seed,
    run_replications,
)
from agent_checkout.sim.scenario import load_scenario


def test_seeds_and_intervals():
    assert replication_seed(7, 0) == 7
    assert replication_seed(7, 1) == replication_seed(7, 1) != replication_seed(7, 2)
    assert interval([10.0]) == {"mean": 10.0, "low": 10.0, "high": 10.0}
    # mean 2, sd 1, n 3: half-width t(0.975, 2) x 1 / sqrt(3) = 4.3026527 / 1.7320508 = 2.484138
    assert interval([1.0, 2.0, 3.0]) == {"mean": 2.0, "low": -0.484138, "high": 4.484138}
    # 0..39: mean 19.5, sd / sqrt(40) = 1.8484228; t(0.975, 39) = 2.0226909 (not 1.96): 3.738788
    wide = {"mean": 19.5, "low": 15.761212, "high": 23.238788}
    assert interval([float(i) for i in range(40)]) == wide


def test_parallel_equals_serial_and_repeats_are_identical(write_scenario, tmp_path):
    scenario = load_scenario(write_scenario())
    serial = run_replications(scenario, seed=5, replications=3)
    parallel = run_replications(scenario, seed=5, replications=3, workers=2)
    assert serial == parallel
    assert serial == run_replications(scenario, seed=5, replications=3)
    assert [s["seed"] for s in serial] == [5, replication_seed(5, 1), replication_seed(5, 2)]
    assert len({s["orders"] for s in serial} | {s["gmv"] for s in serial}) > 1
    pooled = pooled_summary(scenario, 5, serial)
    assert pooled["sessions"] == 450 and pooled["orders"] == sum(s["orders"] for s in serial)
    assert pooled["ci95"]["orders"]["low"] <= pooled["ci95"]["orders"]["mean"]
    assert pooled["ci95"]["sessions"] == {"mean": 150.0, "low": 150.0, "high": 150.0}


def _with_expensive_model(tmp_path, bps: int = 1500) -> str:
    path = tmp_path / f"take-{bps}.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": f"take-{bps}",
                "title": "a share of items and shipping",
                "source": "a test",
                "components": [
                    {
                        "name": "commission",
                        "payee": "ai_platform",
                        "base": "items_shipping",
                        "rate_bps": bps,
                    }
                ],
            }
        )
    )
    return str(path)


def test_compare_pass_through_zero_keeps_demand(write_scenario, tmp_path):
    scenario = load_scenario(write_scenario())
    models = ["flat-per-order", "openai-instant-checkout", _with_expensive_model(tmp_path)]
    result = compare_models(scenario, models, seed=2, replications=2)
    assert result["demand_identical"] is True
    orders = {m: result["figures"][m]["orders"]["mean"] for m in models}
    assert len(set(orders.values())) == 1
    revenue = [result["figures"][m]["ai_platform_revenue"]["mean"] for m in models]
    assert revenue[0] < revenue[1] < revenue[2]
    # flat: 50 cents an order, exactly
    assert revenue[0] == 50 * orders["flat-per-order"]
    assert result["difference_vs_first"][models[0]]["ai_platform_revenue"]["mean"] == 0


def test_compare_pass_through_moves_demand_the_expected_way(write_scenario, tmp_path):
    scenario = load_scenario(write_scenario())
    scenario = scenario.model_copy(
        update={"fees": scenario.fees.model_copy(update={"pass_through": 0.5})}
    )
    # Half of a 40% fee on top of prices: about 20% dearer than with a flat 50 cents.
    models = ["flat-per-order", _with_expensive_model(tmp_path, 4000)]
    result = compare_models(scenario, models, seed=2, replications=2)
    assert result["demand_identical"] is False
    cheap, dear = (result["figures"][m] for m in models)
    assert dear["orders"]["mean"] < cheap["orders"]["mean"]
    assert dear["sessions"] == cheap["sessions"]  # the same shoppers came
