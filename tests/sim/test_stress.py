"""The stress scenario: declines, 3-D Secure, stock races, rate limits and errors at once, and
every session still ends in a named outcome."""

from __future__ import annotations

from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import load_scenario


def test_stress_scenario_has_no_unhandled_errors_and_no_oversells():
    scenario = load_scenario("stress")
    arrivals = scenario.arrivals.model_copy(
        update={
            "duration_minutes": 8,
            "curve": scenario.arrivals.curve.model_copy(update={"at_minute": 3}),
        }
    )
    faults = [scenario.faults[0].model_copy(update={"start_minute": 4, "end_minute": 7})]
    summary = run_scenario(
        scenario.model_copy(update={"arrivals": arrivals, "faults": faults}),
    ).summary
    assert summary["unhandled_errors"] == 0 and summary["oversells"] == 0
    outcomes = summary["outcomes"]
    assert outcomes["purchased"] > 0 and outcomes["out_of_stock"] > 0
    assert outcomes["payment_failed"] > 0
    assert sum(outcomes.values()) == summary["sessions"]
    errors = summary["errors"]
    assert any(key.endswith(":429") for key in errors)
    assert errors.get("psp.delegate_payment:502", 0) > 0 and summary["retries"] > 0
    assert (
        summary["latency_ms"]["northwind.authenticate_checkout"]["count"]
        + summary["latency_ms"].get("juniper.authenticate_checkout", {"count": 0})["count"]
        > 0
    )
