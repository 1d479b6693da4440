"""Re-pricing a recorded run by query gives what simulating each model again gives, to the
cent, when fees do not change behaviour (pass-through 0, neutral ranking): also with paid clicks,
where shoppers leave by a link and some buy on the merchant's site."""

from __future__ import annotations

import pytest
import yaml

from agent_checkout.commands.reprice import CHANNEL_FEES, CHANNEL_MODELS
from agent_checkout.fees import load_fee_model
from agent_checkout.ledger.reprice import reprice_ledger
from agent_checkout.sim.compare import compare_models
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import load_scenario
from tests.conftest import SMALL_SCENARIO

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


# Every trigger in one model: a commission on orders, a price per click (more in apparel), and a
# commission on orders placed within a day after a click.
EVERY_TRIGGER = {
    "name": "every-trigger",
    "title": "1% an order, 10 cents a click (25 in apparel), 3% of items after a click (a test)",
    "source": "none: a test model",
    "currency": "usd",
    "components": [
        {"name": "commission", "payee": "ai_platform", "rate_bps": 100, "on_refund": "refund"},
        {
            "name": "click",
            "payee": "ai_platform",
            "trigger": "link_clicked",
            "fixed": 10,
            "categories": {"apparel": {"per_unit": 15}},
            "on_refund": "keep",
        },
        {
            "name": "referral",
            "payee": "ai_platform",
            "base": "items",
            "trigger": "purchase_attributed",
            "attribution_days": 1,
            "rate_bps": 300,
            "on_refund": "refund",
        },
    ],
}


@pytest.mark.parametrize(
    "market",
    [
        {"monetization": {"mode": "click_out"}},
        {"channels": {"ai_in_chat": 0.4, "ai_link_out": 0.4, "direct": 0.1, "affiliate": 0.1}},
    ],
    ids=["click-outs", "channels"],
)
def test_reprice_equals_compare_with_paid_clicks(market, write_scenario, tmp_path):
    model = tmp_path / "every-trigger.yaml"
    model.write_text(yaml.safe_dump(EVERY_TRIGGER))
    data = {
        **SMALL_SCENARIO,
        "arrivals": {"process": "poisson", "rate_per_minute": 120, "sessions": 300},
        "returns": {"rate": 0.2},
        **market,
    }
    scenario = load_scenario(write_scenario(data))
    out = tmp_path / "run"
    summary = run_scenario(scenario, seed=4, out=out).summary  # openai-instant-checkout
    assert summary["clicks"] > 0 and summary["refunds"] > 0 and summary["click_fees"] == 0
    if "channels" in market:  # the affiliate channel's orders pay their own commission
        assert summary["channels"]["affiliate"]["fees"]["affiliate_network"] > 0
    models = ["sponsored-cpc", "amazon-associates", "openai-instant-checkout", str(model)]
    compared = compare_models(scenario, models, seed=4, replications=1)
    for name in models:
        repriced = reprice_ledger(
            out / "ledger.duckdb",
            [load_fee_model(name)],
            channel_fees=CHANNEL_FEES,
            channel_models=CHANNEL_MODELS,
        )
        figures = compared["figures"][name]
        assert repriced.clicks == summary["clicks"]
        assert repriced.ai_platform_revenue == figures["ai_platform_revenue"]["mean"], name
        assert repriced.fees_total == figures["fees_total"]["mean"], name
        assert repriced.merchant_net == figures["merchant_net"]["mean"], name
    # Not vacuous: each model charged on what it prices (clicks, attributed orders, all three).
    clicks = summary["clicks"]
    revenue = {name: compared["figures"][name]["ai_platform_revenue"]["mean"] for name in models}
    assert revenue["sponsored-cpc"] == 45 * clicks
    assert revenue["amazon-associates"] > 0
    assert revenue[str(model)] > 10 * clicks
