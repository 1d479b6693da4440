"""Re-pricing a run with paid clicks: the "as recorded" row equals the run's summary to the
minor unit, variants price the recorded clicks (link_clicked) and the orders that followed them
(purchase_attributed), and the sponsored ranking's own click lines stay as recorded."""

from __future__ import annotations

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from agent_checkout.agent import ranking
from agent_checkout.cli import app
from agent_checkout.commands.reprice import CHANNEL_FEES
from agent_checkout.fees import load_fee_model, price_order
from agent_checkout.fees.context import Click
from agent_checkout.fees.line import FeeLine
from agent_checkout.ledger import (
    Ledger,
    RepriceError,
    recorded_totals,
    reprice_ledger,
    verify_ledger,
)
from agent_checkout.ledger.reprice import SPONSORED_CLICK_MODEL
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import Scenario
from tests.conftest import SMALL_SCENARIO, fixed_channels
from tests.fees.conftest import AT, build_order

runner = CliRunner()

RUN_MODELS = ["openai-instant-checkout", "sponsored-cpc", "amazon-associates"]

# A per-click price by category, beside a fixed one: what a variant's clicks should cost.
PER_CLICK = {
    "name": "per-click-by-category",
    "title": "10 cents a click, 25 in apparel (a test model)",
    "source": "none: a test model",
    "currency": "usd",
    "components": [
        {
            "name": "click",
            "payee": "ai_platform",
            "trigger": "link_clicked",
            "fixed": 10,
            "categories": {"apparel": {"per_unit": 15}},
            "on_refund": "keep",
        }
    ],
}
# What the sponsored ranking bills for a click on a paid slot at cpc 45 (click_fee_lines).
SPONSORED_CLICK = FeeLine(
    model=SPONSORED_CLICK_MODEL,
    component="sponsored_click",
    payer="merchant",
    payee="ai_platform",
    base="click",
    base_amount=0,
    rate_bps=0,
    fixed=45,
    per_unit=0,
    units=1,
    amount=45,
    currency="usd",
)


def _scenario(**extra) -> Scenario:
    data = {
        **SMALL_SCENARIO,
        "name": "click-outs",
        "seed": 5,
        "arrivals": {"process": "poisson", "rate_per_minute": 120, "sessions": 300},
        "returns": {"rate": 0.2},
        **extra,
    }
    return Scenario.model_validate(data)


@pytest.fixture(scope="module")
def click_outs(tmp_path_factory) -> dict:
    """Shoppers leave by a link (click_out) and some buy on the site: every click pays
    sponsored-cpc, orders after it pay amazon-associates, a fifth are returned."""
    out = tmp_path_factory.mktemp("click-outs")
    scenario = _scenario(monetization={"mode": "click_out"}, fees={"ai_platform": RUN_MODELS})
    summary = run_scenario(scenario, out=out).summary
    return {"summary": summary, "ledger": out / "ledger.duckdb", "dir": out}


@pytest.fixture(scope="module")
def sponsored(tmp_path_factory) -> dict:
    """The sponsored ranking bills its own cpc (45) and a buyer pays 5 per followed link."""
    folder = tmp_path_factory.mktemp("sponsored")
    model = folder / "buyer-link-fee.yaml"
    model.write_text(
        yaml.safe_dump(
            {
                "name": "buyer-link-fee",
                "title": "5 cents a followed link, paid by the buyer (a test model)",
                "source": "none: a test model",
                "currency": "usd",
                "components": [
                    {
                        "name": "link_fee",
                        "payee": "ai_platform",
                        "payer": "buyer",
                        "trigger": "link_clicked",
                        "fixed": 5,
                    }
                ],
            }
        )
    )
    ranking = {"name": "sponsored", "params": {"sponsors": ["juniper"]}}
    scenario = _scenario(
        agent={"ranking": ranking},
        fees={"ai_platform": ["openai-instant-checkout", str(model)]},
    )
    out = folder / "run"
    summary = run_scenario(scenario, out=out).summary
    return {"summary": summary, "ledger": out / "ledger.duckdb", "dir": out}


def _matches_summary(recorded, s: dict) -> None:
    assert recorded.fees_by_payee == s["fees"]
    assert recorded.fees_by_model == s["fees_by_model"]
    assert recorded.merchant_net == s["merchant_net"]
    assert recorded.gmv == s["buyer_paid"]
    assert recorded.tax == s["tax"]
    assert (recorded.orders, recorded.refunds) == (s["orders"], s["refunds"])
    assert (recorded.clicks, recorded.click_fees) == (s["clicks"], s["click_fees"])
    assert recorded.gmv == recorded.merchant_net + recorded.fees_total + recorded.tax


def test_as_recorded_equals_the_summary_with_click_outs_and_returns(click_outs):
    s = click_outs["summary"]
    # Not vacuous: clicks paid, orders attributed to them, orders returned.
    assert s["clicks"] == 234 and s["click_fees"] == 45 * 234
    assert s["fees_by_model"]["amazon-associates"] == 4390
    assert s["refunds"] == 17
    _matches_summary(recorded_totals(click_outs["ledger"]), s)


def test_as_recorded_equals_the_summary_under_a_sponsored_ranking(sponsored):
    s = sponsored["summary"]
    by_model = s["fees_by_model"]
    assert s["clicks"] > 0 and by_model["sponsored-ranking"] == 45 * s["clicks"]
    assert by_model["buyer-link-fee"] == 5 * s["clicks"]  # paid by buyers, not merchants
    assert s["refunds"] > 0
    _matches_summary(recorded_totals(sponsored["ledger"]), s)


def test_a_sponsored_ranking_is_still_refused(sponsored):
    result = runner.invoke(app, ["reprice", str(sponsored["dir"]), "--fee-models", "sponsored-cpc"])
    assert result.exit_code == 2
    assert "ranking 'sponsored'" in result.output and "agent-checkout compare" in result.output


def test_the_runs_own_models_give_back_every_recorded_figure(click_outs):
    recorded = recorded_totals(click_outs["ledger"])
    again = reprice_ledger(click_outs["ledger"], [load_fee_model(m) for m in RUN_MODELS])
    assert again.fees == recorded.fees  # clicks and attributed orders priced as the run did
    assert (again.gmv, again.tax, again.merchant_net) == (
        recorded.gmv,
        recorded.tax,
        recorded.merchant_net,
    )
    assert (again.clicks, again.click_fees) == (234, 45 * 234)


def test_a_variant_prices_every_recorded_click(click_outs, tmp_path):
    path = tmp_path / "per-click.yaml"
    path.write_text(yaml.safe_dump(PER_CLICK))
    with duckdb.connect(str(click_outs["ledger"]), read_only=True) as con:
        apparel, other = con.execute(
            "SELECT COUNT(*) FILTER (WHERE product_category = 'apparel'), "
            "COUNT(*) FILTER (WHERE product_category <> 'apparel') FROM clicks"
        ).fetchone()
    assert apparel > 0 and other > 0 and apparel + other == 234
    recorded = recorded_totals(click_outs["ledger"])
    repriced = reprice_ledger(click_outs["ledger"], [load_fee_model(path)])
    expected = 25 * apparel + 10 * other
    assert repriced.click_fees == expected
    assert repriced.fees_by_model == {
        "etsy-standard": recorded.fees_by_model["etsy-standard"],
        "shopify-basic": recorded.fees_by_model["shopify-basic"],
        "per-click-by-category": expected,
    }
    ai_recorded = recorded.ai_platform_revenue
    assert repriced.merchant_net == recorded.merchant_net + ai_recorded - expected


def test_reprice_command_shows_click_fees(click_outs):
    result = runner.invoke(
        app,
        ["reprice", str(click_outs["dir"]), "--fee-models", "sponsored-cpc,flat-per-order"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    rows = {
        name: line.strip().removeprefix(name).split()
        for line in result.output.splitlines()
        for name in ("as recorded", "sponsored-cpc", "flat-per-order")
        if line.strip().startswith(f"{name} ")
    }
    # orders, click fees, marketplace, payment processor, AI platform revenue, take rate, net
    assert rows["as recorded"][:2] == ["59", "$105.30"]
    assert rows["as recorded"][4] == "$204.22"
    assert rows["as recorded"][6] == "$1,066.47"
    assert rows["sponsored-cpc"][:2] == ["59", "$105.30"]
    assert rows["sponsored-cpc"][4] == "$105.30"
    assert rows["flat-per-order"][1] == "$0.00"
    text = " ".join(result.output.split())
    assert "Clicks (234) priced by each variant's link_clicked components" in text


def test_the_sponsored_rankings_own_click_lines_are_kept_as_recorded(tmp_path):
    """A hand-built ledger (the command refuses a real sponsored run): one order, one click on
    a paid slot billed by the ranking at 45, one more click paid by no fee model."""
    path = tmp_path / "ledger.duckdb"
    order = build_order([("toys", 1, 5000)], tax=400, merchant="north", order_id="n1")
    models = [load_fee_model("openai-instant-checkout"), load_fee_model("shopify-basic")]
    with Ledger(path) as ledger:
        ledger.start_run(scenario="hand", seed=1, currency="usd", fee_models=["x"])
        ledger.record(order, price_order(order, models))
        click = Click("north", "shopify", "usd", "toys", AT)
        ledger.record_click(click, [SPONSORED_CLICK], session_id="s1")
        ledger.record_click(click, [], session_id="s2")
    assert verify_ledger(path).ok
    assert SPONSORED_CLICK_MODEL == ranking.SPONSORED_CLICK_MODEL  # the name the ranking writes
    recorded = recorded_totals(path)
    assert recorded.fees_by_model["sponsored-ranking"] == 45
    repriced = reprice_ledger(path, [load_fee_model("sponsored-cpc")])
    assert repriced.clicks == 2 and repriced.click_fees == 45 + 2 * 45
    assert repriced.fees_by_model["sponsored-ranking"] == 45
    assert repriced.fees_by_model["sponsored-cpc"] == 90
    result = runner.invoke(
        app, ["reprice", str(tmp_path), "--fee-models", "sponsored-cpc"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Kept as recorded in every row: sponsored-ranking clicks ($0.45)" in text


@pytest.fixture(scope="module")
def channels(tmp_path_factory) -> dict:
    """Shoppers pay in the chat, follow a link out, or come direct: the AI platform's models
    price only what each channel lets it charge."""
    out = tmp_path_factory.mktemp("channels")
    data = {
        **SMALL_SCENARIO,
        "arrivals": {"process": "poisson", "rate_per_minute": 120, "sessions": 600},
        "channels": fixed_channels({"ai_in_chat": 0.4, "ai_link_out": 0.4, "direct": 0.2}),
        "returns": {"rate": 0.2},
        "fees": {"ai_platform": RUN_MODELS},
    }
    summary = run_scenario(Scenario.model_validate(data), seed=4, out=out).summary
    return {"summary": summary, "ledger": out / "ledger.duckdb", "dir": out}


def test_a_channel_run_is_priced_as_its_channels_had_it(channels):
    s = channels["summary"]
    orders = {name: figures["orders"] for name, figures in s["channels"].items()}
    assert orders == {"ai_in_chat": 8, "ai_link_out": 12, "direct": 8}
    assert s["clicks"] == 12 and s["refunds"] == 5
    assert s["fees_by_model"]["openai-instant-checkout"] == 986  # in-chat orders only
    assert s["fees_by_model"]["amazon-associates"] == 1067  # orders after a link out only
    recorded = recorded_totals(channels["ledger"])
    _matches_summary(recorded, s)
    again = reprice_ledger(
        channels["ledger"], [load_fee_model(m) for m in RUN_MODELS], channel_fees=CHANNEL_FEES
    )
    assert again.fees == recorded.fees
    assert (again.gmv, again.merchant_net) == (recorded.gmv, recorded.merchant_net)


def test_a_channel_run_needs_its_channels_fees(channels):
    with pytest.raises(RepriceError) as raised:
        reprice_ledger(channels["ledger"], [load_fee_model("sponsored-cpc")])
    assert str(raised.value) == (
        "orders of channel 'ai_in_chat', 'ai_link_out', 'direct': say which AI fees that "
        "channel charges (channel_fees) to re-price them"
    )
    result = runner.invoke(app, ["reprice", str(channels["dir"]), "--fee-models", "flat-per-order"])
    assert result.exit_code == 0, result.output  # the command knows the channels


def test_a_run_without_clicks_says_per_click_models_charged_nothing(tmp_path):
    path = tmp_path / "ledger.duckdb"
    order = build_order([("toys", 1, 5000)], tax=400, merchant="north", order_id="n1")
    with Ledger(path) as ledger:
        ledger.start_run(scenario="hand", seed=1, currency="usd", fee_models=["x"])
        ledger.record(order, price_order(order, [load_fee_model("shopify-basic")]))
    result = runner.invoke(
        app,
        ["reprice", str(tmp_path), "--fee-models", "sponsored-cpc,amazon-associates"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert (
        "Not charged: amazon-associates, sponsored-cpc (link_clicked and purchase_attributed "
        "components: this run recorded no clicks)." in text
    )
    assert "click fees" not in text  # no column for a run without clicks
