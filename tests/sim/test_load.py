"""Merchant behaviour under load: outages, error bursts, rate limits and stock-outs, in
virtual time, without unhandled errors or oversells."""

from __future__ import annotations

import pytest

from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import ScenarioError, load_scenario

NORTHWIND_ONLY = {
    "name": "load",
    "seed": 3,
    "merchants": ["northwind-outfitters"],
    "arrivals": {"process": "constant", "rate_per_minute": 12, "duration_minutes": 20},
    "shoppers": {"outside_utility": 0.5},
    "metrics": {"resolution_seconds": 60},
}


def _run(write_scenario, **changes):
    summary = run_scenario(load_scenario(write_scenario({**NORTHWIND_ONLY, **changes}))).summary
    assert summary["unhandled_errors"] == 0 and summary["oversells"] == 0
    return summary


def test_outage_window_shows_in_outcomes_and_time_series(write_scenario):
    summary = _run(
        write_scenario,
        faults=[{"kind": "outage", "server": "northwind", "start_minute": 10, "end_minute": 15}],
    )
    assert summary["outcomes"]["merchant_unavailable"] > 0
    rows = {int(r["start_seconds"] // 60): r for r in summary["timeseries"]["rows"]}
    down = [minute for minute, r in rows.items() if r["errors"]]
    assert down and min(down) == 10 and max(down) <= 15  # calls that started by 14:59
    assert all(rows[m]["latency_max_ms"] >= 10_000 for m in range(11, 15))  # the hang
    assert all(rows[m]["latency_max_ms"] < 5_000 and rows[m]["errors"] == 0 for m in range(0, 10))
    assert summary["errors"]["northwind.search:503"] > 0
    baseline = _run(write_scenario)
    assert baseline["outcomes"]["merchant_unavailable"] == 0 and baseline["errors"] == {}


def test_rate_limits_delay_but_do_not_lose_sessions(write_scenario):
    profile = load_scenario("quickstart").merchant_profiles()[1]  # juniper, Etsy: 10 per second
    burst = {"process": "constant", "rate_per_minute": 600, "sessions": 40}  # 4 s at 10/s
    free = _run(write_scenario, merchants=[profile.model_dump()], arrivals=burst)
    capped = _run(
        write_scenario, arrivals=burst, merchants=[{**profile.model_dump(), "rate_limited": True}]
    )
    assert capped["errors"].get("juniper.search:429", 0) > 0 and capped["retries"] > 0
    assert free["retries"] == 0 and free["errors"] == {}
    assert capped["sessions"] == free["sessions"] == 40
    assert capped["outcomes"]["merchant_unavailable"] == 0  # delayed, never lost
    assert capped["session_seconds"]["p95"] > free["session_seconds"]["p95"]


def test_error_burst_is_retried(write_scenario):
    summary = _run(
        write_scenario,
        faults=[
            {
                "kind": "error_burst",
                "server": "psp",
                "start_minute": 0,
                "end_minute": 20,
                "rate": 0.3,
                "status": 502,
            }
        ],
    )
    assert summary["errors"]["psp.delegate_payment:502"] > 0 and summary["retries"] > 0
    assert summary["orders"] > 0


def test_stock_out_empties_the_shelves(write_scenario):
    summary = _run(
        write_scenario,
        faults=[{"kind": "stock_out", "merchant": "northwind", "at_minute": 10, "share": 1.0}],
    )
    rows = summary["timeseries"]["rows"]
    assert sum(r["orders"] for r in rows[:10]) > 0
    assert sum(r["orders"] for r in rows[11:]) == 0
    assert summary["outcomes"]["out_of_stock"] > 0


def test_fault_naming_an_unknown_server(write_scenario):
    with pytest.raises(ScenarioError, match=r"faults.0: unknown server 'nowhere'"):
        load_scenario(
            write_scenario(
                {
                    **NORTHWIND_ONLY,
                    "faults": [
                        {"kind": "slow", "server": "nowhere", "start_minute": 0, "end_minute": 1}
                    ],
                }
            )
        )


def test_restocking_keeps_shelves_filled_without_overselling(write_scenario):
    profile = {"profile": "northwind-outfitters", "catalog": {"stock_min": 0, "stock_max": 1}}
    thin = _run(write_scenario, merchants=[profile])
    restocked = _run(write_scenario, merchants=[{**profile, "restock_every_minutes": 2}])
    assert restocked["orders"] > thin["orders"]
    assert restocked["outcomes"]["out_of_stock"] < thin["outcomes"]["out_of_stock"]
    assert restocked["sessions"] == thin["sessions"] == 239  # every 5 s before minute 20
