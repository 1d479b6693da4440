"""Re-pricing a hand-built ledger equals pricing the same orders directly, to the cent; runs
whose fees changed behaviour are refused."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import yaml
from typer.testing import CliRunner

from agent_checkout.cli import app
from agent_checkout.fees import FeePricer, load_fee_model, price_order, refund_lines
from agent_checkout.ledger import (
    Ledger,
    RepriceError,
    recorded_totals,
    refund_tax,
    reprice_ledger,
    verify_ledger,
)
from tests.fees.conftest import AT, build_order

runner = CliRunner()

VOLUME_MODEL = {
    "name": "volume-commission",
    "title": "5% until the merchant has sold $100, then 2%",
    "source": "test",
    "components": [
        {
            "name": "commission",
            "payee": "ai_platform",
            "base": "items_shipping",
            "tiers": {
                "by": "running_volume",
                "bands": [{"at_least": 0, "rate_bps": 500}, {"at_least": 10000, "rate_bps": 200}],
            },
            "on_refund": "refund",
        }
    ],
}

N1 = build_order([("kitchen", 1, 6000)], tax=480, merchant="north", order_id="n1")
N2 = build_order(
    [("kitchen", 1, 5000)], tax=400, merchant="north", order_id="n2", at=AT + timedelta(days=1)
)
N3 = build_order(
    [("toys", 2, 1500)],
    shipping=500,
    tax=240,
    merchant="north",
    order_id="n3",
    at=AT + timedelta(days=2),
)
J1 = build_order(
    [("jewelry", 1, 4000)],
    shipping=450,
    merchant="juni",
    platform="etsy",
    order_id="j1",
    at=AT + timedelta(hours=12),
)
RECORDED = [N3, N1, J1, N2]  # recorded out of time order: re-pricing sorts by placed_at
REFUNDS = {"n2": [2700], "j1": [1000, 3450]}


def run_models(order):
    own = "shopify-basic" if order.platform == "shopify" else "etsy-standard"
    return [load_fee_model("openai-instant-checkout"), load_fee_model(own)]


def write_run(path, *, pass_through=0.0, ranking="neutral", models=run_models) -> None:
    with Ledger(path) as ledger:
        ledger.start_run(
            scenario="hand",
            seed=1,
            currency="usd",
            fee_models=["x"],
            pass_through=pass_through,
            ranking=ranking,
        )
        for order in RECORDED:
            lines = price_order(order, models(order))
            ledger.record(order, lines)
            for amount in REFUNDS.get(order.id, []):
                before = ledger.refunded(order.id)
                reversal = refund_lines(order, lines, amount, models(order), refunded_before=before)
                ledger.record_refund(order, amount, reversal, order.placed_at, "return")
    assert verify_ledger(path).ok


@pytest.fixture
def ledger_path(tmp_path):
    path = tmp_path / "ledger.duckdb"
    write_run(path)
    return path


@pytest.fixture
def volume_model(tmp_path):
    path = tmp_path / "volume-commission.yaml"
    path.write_text(yaml.safe_dump(VOLUME_MODEL))
    return load_fee_model(path)


def direct(models_by_merchant) -> Counter:
    """The oracle: a FeePricer over the orders in time order, refunds by refund_lines."""
    pricer = FeePricer(models_by_merchant)
    fees: Counter = Counter()
    for order in sorted(RECORDED, key=lambda o: o.placed_at):
        charged = pricer.price(order)
        lines, before = list(charged), 0
        for amount in REFUNDS.get(order.id, []):
            models = pricer.models_for(order.merchant_id)
            lines += refund_lines(order, charged, amount, models, refunded_before=before)
            before += amount
        for line in lines:
            fees[(line.model, line.payee)] += line.amount
    return fees


def test_reprice_with_a_volume_tier_equals_direct_pricing(ledger_path, volume_model):
    result = reprice_ledger(ledger_path, [volume_model])
    own = {m: load_fee_model(n) for m, n in (("north", "shopify-basic"), ("juni", "etsy-standard"))}
    assert result.fees == direct({m: [volume_model, model] for m, model in own.items()})
    # in time order: n1 5% x 60 = 3.00; j1 (its own shop) 5% x 44.50 = 2.225 -> 2.22; n2 (north
    # sold 60 before) 5% x 50 = 2.50; n3 (110 before) 2% x 35 = 0.70. Refunds: n2 half -1.25,
    # j1 in full -2.22 (0.4989 -> 0.50, then 1.72)
    assert dict(result.fees) == {
        ("volume-commission", "ai_platform"): 300 + 222 + 250 + 70 - 125 - 222,
        ("shopify-basic", "payment_processor"): 218 + 187 + 138,  # kept on refund
        ("etsy-standard", "marketplace"): 20,  # renewal kept; 6.5% x 44.50 = 2.89 returned
        ("etsy-standard", "payment_processor"): 25,  # 3% x 44.50 = 1.335 -> 1.34 returned
    }
    assert (result.orders, result.refunds) == (4, 3)
    assert result.gmv == 6480 + 5400 + 3740 + 4450 - 2700 - 4450
    assert result.tax == 480 + 400 + 240 - 200  # n2's tax back: 4.00 x 27/54
    assert result.gmv == result.merchant_net + result.fees_total + result.tax
    assert result.ai_platform_revenue == 495 and result.take_rate == pytest.approx(495 / 12920)


def test_reprice_with_the_runs_own_models_gives_the_recorded_totals(ledger_path):
    result = reprice_ledger(ledger_path, [load_fee_model("openai-instant-checkout")])
    recorded = recorded_totals(ledger_path)
    assert result == recorded
    assert result.fees == direct({m: run_models(o) for o in RECORDED for m in [o.merchant_id]})


def test_replace_all_and_models_by_platform(ledger_path):
    flat = reprice_ledger(ledger_path, [load_fee_model("flat-per-order")], replace_all=True)
    assert dict(flat.fees) == {("flat-per-order", "ai_platform"): 4 * 50}  # kept on refund
    assert flat.merchant_net == 12920 - 200 - 920
    by_platform = reprice_ledger(
        ledger_path, {"shopify": [load_fee_model("openai-instant-checkout")], "etsy": []}
    )
    # 4% of 60 + 50 + 35 on north only, less half of n2's 2.00
    assert by_platform.fees_by_model == {
        "etsy-standard": 45,
        "openai-instant-checkout": 240 + 200 + 140 - 100,
        "shopify-basic": 543,
    }


def test_tax_back_matches_the_ledger(ledger_path):
    assert refund_tax(N2, 2700) == 200 and refund_tax(J1, 4450) == 0
    assert recorded_totals(ledger_path).tax == 920


@pytest.mark.parametrize(
    ("pass_through", "ranking"),
    [(0.25, "neutral"), (0.0, "sponsored"), (0.0, "commission_weighted")],
)
def test_a_run_whose_fees_changed_behaviour_is_refused(tmp_path, pass_through, ranking):
    path = tmp_path / "ledger.duckdb"
    write_run(path, pass_through=pass_through, ranking=ranking)
    with pytest.raises(RepriceError, match="use `agent-checkout compare`"):
        reprice_ledger(path, [load_fee_model("flat-per-order")])
    result = runner.invoke(app, ["reprice", str(tmp_path), "--fee-models", "flat-per-order"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and f"ranking '{ranking}'" in lines[0] and "compare" in lines[0]


def test_a_first_party_ranking_may_be_repriced(tmp_path):
    path = tmp_path / "ledger.duckdb"
    write_run(path, ranking="first_party")
    assert reprice_ledger(path, [load_fee_model("flat-per-order")]).orders == 4


def test_a_recorded_model_that_is_not_built_in(tmp_path, volume_model):
    path = tmp_path / "ledger.duckdb"
    mine = volume_model.model_copy(
        update={
            "name": "my-processor",
            "components": [
                volume_model.components[0].model_copy(update={"payee": "payment_processor"})
            ],
        }
    )
    write_run(path, models=lambda order: [mine])
    with pytest.raises(RepriceError, match="'my-processor' priced orders in this run"):
        reprice_ledger(path, [load_fee_model("flat-per-order")])
    assert reprice_ledger(path, [mine, load_fee_model("flat-per-order")]).fees_by_model == {
        "flat-per-order": 200,
        "my-processor": 495,  # as the volume model above, paid to the processor
    }


def test_reprice_command_prints_each_variant(ledger_path):
    result = runner.invoke(
        app,
        [
            "reprice",
            str(ledger_path.parent),
            "--fee-models",
            "openai-instant-checkout,flat-per-order",
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    rows = {
        name: line.strip().removeprefix(name).split()
        for line in result.output.splitlines()
        for name in ("as recorded", "openai-instant-checkout", "flat-per-order")
        if line.strip().startswith(f"{name} ")
    }
    # orders, marketplace, payment processor, AI platform revenue, take rate, merchant net
    assert rows["flat-per-order"] == ["4", "$0.20", "$5.68", "$2.00", "1.55%", "$112.12"]
    assert rows["openai-instant-checkout"] == rows["as recorded"]
    assert "holds only where fees do not change behaviour" in " ".join(result.output.split())
    bad = runner.invoke(
        app, ["reprice", str(ledger_path.parent), "--fee-models", "openai-instant-checkout,"]
    )
    assert bad.exit_code == 2 and "an empty entry" in bad.output
