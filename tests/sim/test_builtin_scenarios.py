"""The built-in scenarios of issue 11, each run as a CI-sized copy: its ledger balances, and its
headline figure lies in the range its README section states (exact where the fee model fixes
it, to the cent)."""

from __future__ import annotations

import re
from pathlib import Path

from rich.console import Console

from agent_checkout.fees.library import load_fee_model
from agent_checkout.ledger.reader import open_read_only
from agent_checkout.ledger.verify import verify_ledger
from agent_checkout.report import recovery_table
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import Scenario, load_scenario
from merchants.money import apply_bps

SOURCES_PAGE = Path(__file__).parents[2] / "docs" / "sources.md"
FEE_MODELS = Path(__file__).parents[2] / "scenarios" / "fee-models"


def ci_copy(name: str, sessions: int) -> Scenario:
    """The built-in scenario with fewer sessions (everything else as shipped)."""
    scenario = load_scenario(name)
    arrivals = scenario.arrivals.model_copy(update={"sessions": sessions})
    return scenario.model_copy(update={"arrivals": arrivals})


def run_and_verify(scenario: Scenario, out: Path) -> tuple[dict, object]:
    """Run, check the ledger balances, and open it for queries."""
    summary = run_scenario(scenario, out=out).summary
    verdict = verify_ledger(out / "ledger.duckdb")
    assert verdict.ok, str(verdict)
    assert verdict.orders == summary["orders"] > 0
    return summary, open_read_only(out / "ledger.duckdb")


def test_scenario_fee_models_cite_rows_on_the_sources_page():
    page = SOURCES_PAGE.read_text()
    for path in sorted(FEE_MODELS.glob("*.yaml")):
        model = load_fee_model(path)
        rows = re.findall(r"row '([^']+)'", model.source)
        assert rows and all(f"| {row} |" in page for row in rows), path.name


def test_instant_checkout_charges_four_percent_and_the_large_merchant_its_negotiated_two(
    tmp_path,
):
    summary, con = run_and_verify(ci_copy("instant-checkout", 800), tmp_path)
    lines = con.execute(
        "SELECT o.merchant_id, f.model, f.rate_bps, f.base_amount, f.amount FROM fee_lines f "
        "JOIN orders o USING (order_id) WHERE f.payee = 'ai_platform'"
    ).fetchall()
    assert len(lines) == summary["orders"]  # one in-chat fee on every order
    for merchant, model, rate, base, amount in lines:
        assert (model, rate) == (
            ("negotiated-instant-checkout", 200)
            if merchant == "meridian"
            else ("openai-instant-checkout", 400)
        )
        assert amount == apply_bps(base, rate)  # half-even, once
    assert {m for m, *_ in lines} == {"meridian", "northwind", "juniper"}
    # Headline: the AI platform's take of GMV (tax included) lies between the two rates' share.
    assert 0.015 <= summary["ai_platform_take_rate"] <= 0.04
    assert summary["conversion_rate"] <= 0.02


def test_affiliate_links_pays_cps_on_attributed_purchases_and_the_network_keeps_a_tenth(
    tmp_path,
):
    summary, con = run_and_verify(ci_copy("affiliate-links", 600), tmp_path)
    assert summary["currency"] == "cny"
    by_payee = dict(
        con.execute(
            "SELECT payee, SUM(amount) FROM fee_lines WHERE model = 'cps-link-out-cn' GROUP BY 1"
        ).fetchall()
    )
    assert by_payee == {
        "ai_platform": summary["fees"]["ai_platform"],
        "affiliate_network": summary["fees"]["affiliate_network"],
    }
    share = by_payee["affiliate_network"] / sum(by_payee.values())
    assert 0.099 <= share <= 0.101  # 10% of the commission, to within a fen per line
    # every order followed the assistant's link, so every one is attributed and pays CPS
    unpriced = con.execute(
        "SELECT COUNT(*) FROM orders WHERE order_id NOT IN "
        "(SELECT order_id FROM fee_lines WHERE model = 'cps-link-out-cn')"
    ).fetchone()
    assert unpriced == (0,)
    assert summary["clicks"] >= summary["orders"]
    # Headline: commission to the assistant, net of its inference, is positive and its take of
    # GMV lies between the phone (1.35%) and beauty (9%) rates.
    assert 0.0135 <= summary["ai_platform_take_rate"] <= 0.09
    assert summary["ai_platform_net"] > 0


def test_marketplace_assistant_earns_referral_fees_only(tmp_path):
    summary, con = run_and_verify(ci_copy("marketplace-assistant", 600), tmp_path)
    assert set(summary["fees"]) == {"marketplace"}
    models = con.execute("SELECT DISTINCT model FROM fee_lines").fetchall()
    assert models == [("amazon-referral",)]
    channels = summary["channels"]
    assert channels["marketplace_assistant"]["inference_cost"] == summary["inference_cost"] > 0
    assert channels["direct"]["inference_cost"] == channels["organic_search"]["inference_cost"] == 0
    company = summary["companies"]["Marketplace"]
    assert company["net"] == summary["fees"]["marketplace"] - summary["inference_cost"]
    # Headline: referral fees take 8-20% of GMV (tax included), and pay for the inference.
    assert 0.08 <= summary["take_rate"] <= 0.20
    assert company["net"] > 0


def test_merchant_outage_recovers_or_names_every_failure(tmp_path):
    scenario = load_scenario("merchant-outage")
    outage, slow, burst, stock_out = scenario.faults
    arrivals = scenario.arrivals.model_copy(
        update={
            "rate_per_minute": 60,
            "duration_minutes": 12,
            "curve": scenario.arrivals.curve.model_copy(  # a sharper spike, to meet the limits
                update={"at_minute": 1, "multiplier": 30, "half_life_minutes": 1}
            ),
        }
    )
    faults = [
        outage.model_copy(update={"start_minute": 3, "end_minute": 7}),
        slow.model_copy(update={"start_minute": 7, "end_minute": 8}),
        burst.model_copy(update={"start_minute": 8, "end_minute": 11}),
        stock_out.model_copy(update={"at_minute": 11}),
    ]
    ci = scenario.model_copy(update={"arrivals": arrivals, "faults": faults})
    summary, con = run_and_verify(ci, tmp_path)
    assert summary["unhandled_errors"] == 0 and summary["oversells"] == 0
    outcomes = summary["outcomes"]
    assert sum(outcomes.values()) == summary["sessions"]
    assert outcomes["merchant_unavailable"] > 0 and outcomes["purchased"] > 0
    errors = summary["errors"]
    assert errors["northwind.search:503"] > 0  # the outage
    assert any(key.endswith(":429") for key in errors)  # the spike against the rate limits
    assert summary["retries"] > 0  # 429s and 5xx were waited out and tried again
    # Fallback: while Northwind was down, the agent still sold Juniper's goods.
    during = dict(
        con.execute(
            "SELECT merchant_id, COUNT(*) FROM orders WHERE placed_at >= TIMESTAMP "
            "'2026-11-11 00:03:00' AND placed_at < TIMESTAMP '2026-11-11 00:07:00' GROUP BY 1"
        ).fetchall()
    )
    assert during.get("northwind", 0) == 0 and during["juniper"] > 0
    # Headline: the faults cost sessions, but fewer than a tenth of those that searched.
    searched = summary["funnel"]["searched"]
    assert 0 < outcomes["merchant_unavailable"] / searched <= 0.10


def test_run_prints_the_faults_met_and_nothing_for_a_clean_run():
    assert recovery_table({"errors": {}, "retries": 0}) is None
    table = recovery_table({"errors": {"northwind.search:503": 7, "psp.x:502": 1}, "retries": 6})
    console = Console(width=80, record=True)
    console.print(table)
    text = console.export_text()
    assert "faults met" in text
    assert re.search(r"back-offs \(wait, then retry\)\s+│\s+6 │", text)
    assert re.search(r"northwind\.search answered 503\s+│\s+7 │", text)
    assert re.search(r"psp\.x answered 502\s+│\s+1 │", text)
