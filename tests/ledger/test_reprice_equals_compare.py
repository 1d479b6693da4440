"""Re-pricing a recorded run by query gives what simulating each model again gives, to the
cent, when fees do not change behaviour (pass-through 0, neutral ranking)."""

from __future__ import annotations

from agent_checkout.fees import load_fee_model
from agent_checkout.ledger.reprice import reprice_ledger
from agent_checkout.sim.compare import compare_models
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import load_scenario

MODELS = ["openai-instant-checkout", "flat-per-order", "amazon-referral"]


def test_reprice_equals_compare(write_scenario, tmp_path):
    scenario = load_scenario(write_scenario())
    run_scenario(scenario, seed=4, out=tmp_path)  # recorded under openai-instant-checkout
    compared = compare_models(scenario, MODELS, seed=4, replications=1)
    for name in MODELS:
        repriced = reprice_ledger(tmp_path / "ledger.duckdb", [load_fee_model(name)])
        figures = compared["figures"][name]
        assert repriced.orders == figures["orders"]["mean"]
        assert repriced.ai_platform_revenue == figures["ai_platform_revenue"]["mean"], name
        assert repriced.fees_total == figures["fees_total"]["mean"], name
        assert repriced.merchant_net == figures["merchant_net"]["mean"], name
