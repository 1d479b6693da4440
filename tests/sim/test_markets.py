"""Markets and currencies: catalogs priced at their market's levels, JPY in whole yen end to
end, a CNY scenario that converts like a shop, and a mixed USD/CNY run reported per currency
with a converted total (docs/sources.md, "Defaults with no public figure", rows 'CN market
price levels', 'JP market price levels', 'Sessions by currency')."""

from __future__ import annotations

import io
from fractions import Fraction

import duckdb
import pytest
from rich.console import Console

from agent_checkout.fees.fx import REFERENCE_FX
from agent_checkout.report import print_summary
from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import load_scenario
from merchants import Catalog, CatalogSpec
from merchants.money import apply_bps, format_money

JPY_PROCESSING = """\
name: jpy-processing
title: Card processing in Japan, 3.6% + 10 yen (a test figure)
source: a test
currency: JPY
components:
  - {name: payment_processing, payee: payment_processor, base: total, rate_bps: 360, fixed: 10}
"""


def _printed(summary: dict) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    print_summary(summary, console)
    return console.file.getvalue()


def test_a_cn_catalog_is_priced_in_whole_yuan_at_cn_levels_and_jp_in_yen():
    spec = CatalogSpec(size=400, categories={"phones": 1, "snacks": 1})
    cn = Catalog.generate(spec, seed=3, currency="cny")
    jp = Catalog.generate(spec, seed=3, currency="jpy")
    us = Catalog.generate(spec, seed=3, currency="usd")
    assert all(p.price % 100 == 0 for p in cn)  # whole yuan
    assert all(p.price % 1_000 == 900 for p in cn if p.price >= 1_000)  # ¥19, ¥159, ¥2,499
    assert all(p.price % 100 == 80 or p.price % 1_000 == 800 for p in jp if p.price >= 100)

    def median(catalog: Catalog, category: str) -> int:
        prices = sorted(p.price for p in catalog if p.category == category)
        return prices[len(prices) // 2]

    # the same dice, the market's own levels: a phone about ¥2,499, ¥69,800, $499
    assert [median(c, "phones") for c in (cn, jp, us)] == [243_900, 67_800, 48_600]
    assert [median(c, "snacks") for c in (cn, jp, us)] == [3_900, 980, 1_199]


def test_market_can_be_named_against_the_currency(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: us-levels-in-yuan\n"
        "merchants: [{profile: tmall-like, catalog: {market: us}}]\n"
        "arrivals: {process: poisson, rate_per_minute: 60, sessions: 1}\n"
    )
    profile = load_scenario(path).merchant_profiles()[0]
    assert (profile.currency, profile.catalog.market) == ("cny", "us")


def test_jpy_run_is_in_whole_yen_from_order_to_fee_line_to_report(tmp_path):
    (tmp_path / "jpy-processing.yaml").write_text(JPY_PROCESSING)
    path = tmp_path / "jpy.yaml"
    path.write_text(
        """\
name: in-jpy
seed: 3
merchants:
  - {profile: northwind-outfitters, currency: jpy, tax_rate_bps: 1000,
     fee_models: [jpy-processing.yaml],
     shipping: [{id: standard, title: Standard, price: 550, min_days: 2, max_days: 4}]}
arrivals: {process: poisson, rate_per_minute: 120, sessions: 150}
shoppers: {outside_utility: 1.0}
"""
    )
    summary = run_scenario(load_scenario(path), out=tmp_path / "run").summary
    assert summary["currency"] == "jpy" and summary["unhandled_errors"] == 0
    assert (summary["orders"], summary["gmv"]) == (114, 482_174)
    con = duckdb.connect(str(tmp_path / "run" / "ledger.duckdb"), read_only=True)
    order_id, items, shipping, tax, total = con.execute(
        "SELECT order_id, items_amount, shipping_amount, tax_amount, total_amount FROM orders "
        "ORDER BY order_id LIMIT 1"
    ).fetchone()
    lines = dict(
        con.execute(
            "SELECT model, amount FROM fee_lines WHERE order_id = ? ORDER BY model", [order_id]
        ).fetchall()
    )
    con.close()
    assert shipping == 550 and total == items + shipping + tax
    assert tax == apply_bps(items + shipping, 1000) or tax == apply_bps(items, 1000)
    assert lines["jpy-processing"] == apply_bps(total, 360) + 10  # yen, rounded once
    assert lines["openai-instant-checkout"] == apply_bps(items + shipping, 400)
    printed = _printed(summary)
    assert format_money(482_174, "jpy") == "¥482,174"
    gmv_row = next(line for line in printed.splitlines() if "GMV" in line)
    fee_row = next(line for line in printed.splitlines() if "payment processor" in line)
    assert "¥482,174" in gmv_row and "." not in gmv_row
    processing = summary["fees"]["payment_processor"]
    assert format_money(processing, "jpy") in fee_row and "." not in fee_row


def test_the_cny_scenario_sells_at_a_shops_rate():
    scenario = load_scenario("tmall-cn")
    small = scenario.model_copy(
        update={"arrivals": scenario.arrivals.model_copy(update={"sessions": 3000})}
    )
    summary = run_scenario(small).summary
    assert summary["currency"] == "cny" and summary["unhandled_errors"] == 0
    assert 0.01 <= summary["conversion_rate"] <= 0.035  # "e-commerce conversion rate"
    assert 10_000 <= summary["aov"] <= 50_000  # ¥100 to ¥500 an order, not dollars relabelled


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    scenario = load_scenario("cross-border")
    small = scenario.model_copy(
        update={"arrivals": scenario.arrivals.model_copy(update={"sessions": 2000})}
    )
    out = tmp_path_factory.mktemp("cross-border")
    return run_scenario(small, out=out).summary, out / "ledger.duckdb"


def test_a_mixed_run_reports_each_currency_as_its_ledger_does(mixed):
    summary, ledger = mixed
    assert sorted(summary["currencies"]) == ["cny", "usd"]
    assert "gmv" not in summary and "fees" not in summary  # nothing summed across currencies
    per = summary["currencies"]
    assert per["cny"]["sessions"] + per["usd"]["sessions"] == summary["sessions"] == 2000
    assert per["cny"]["orders"] + per["usd"]["orders"] == summary["orders"]
    con = duckdb.connect(str(ledger), read_only=True)
    gmv = dict(con.execute("SELECT currency, SUM(buyer_paid) FROM orders GROUP BY 1").fetchall())
    fees = dict(con.execute("SELECT currency, SUM(amount) FROM fee_lines GROUP BY 1").fetchall())
    net = dict(
        con.execute(
            "SELECT currency, SUM(amount) FROM postings WHERE account = 'merchant' GROUP BY 1"
        ).fetchall()
    )
    merchants = dict(con.execute("SELECT DISTINCT merchant_id, currency FROM orders").fetchall())
    run_currency = con.execute("SELECT currency FROM runs").fetchone()[0]
    con.close()
    assert merchants == {"northwind": "usd", "lanting": "cny"}
    assert run_currency == "cny,usd"
    for code in ("cny", "usd"):
        assert per[code]["gmv"] == gmv[code]
        assert per[code]["fees_total"] == fees[code]
        assert per[code]["merchant_net"] == net[code]
        assert per[code]["buyer_paid"] == (
            per[code]["merchant_net"] + per[code]["fees_total"] + per[code]["tax"]
        )
    assert (per["usd"]["gmv"], per["cny"]["gmv"]) == (82_966, 405_800)


def test_the_converted_total_is_the_sum_of_each_currency_converted_once(mixed):
    summary, _ = mixed
    per, converted = summary["currencies"], summary["converted"]
    assert converted["label"] == (
        "converted to USD at ECB euro foreign exchange reference rates, 2025-10-21"
    )
    assert converted["currency"] == "usd" and converted["as_of"] == "2025-10-21"
    # CNY -> USD at 1.1607 / 8.2626 (ECB, EUR 1 = ...), rounded once half-even to the cent
    cny_in_cents = round(Fraction(per["cny"]["gmv"]) * Fraction("1.1607") / Fraction("8.2626"))
    assert cny_in_cents == REFERENCE_FX.convert(per["cny"]["gmv"], "cny", "usd")
    assert converted["gmv"] == per["usd"]["gmv"] + cny_in_cents == 82_966 + 57_005
    for key in ("fees_total", "merchant_net", "tax", "inference_cost", "ai_platform_net"):
        assert converted[key] == sum(
            REFERENCE_FX.convert(per[code][key], code, "usd") for code in ("cny", "usd")
        ), key
    assert converted["rates"] == {"cny": "0.140476363372", "usd": "1"}


def test_the_report_prints_each_currency_and_the_labelled_total(mixed):
    summary, _ = mixed
    printed = _printed(summary)
    assert "cross-border · CNY · seed 5" in printed and "cross-border · USD · seed 5" in printed
    words = " ".join(printed.split())
    assert (
        "all currencies, converted to USD at ECB euro foreign exchange reference rates, "
        "2025-10-21" in words
    )
    assert format_money(summary["currencies"]["cny"]["gmv"], "cny") == "¥4,058.00"
    assert format_money(summary["converted"]["gmv"], "usd") == "$1,399.71"
    assert "¥4,058.00" in printed and "$1,399.71" in printed
    assert "by channel (CNY)" in printed and "by channel (USD)" in printed


def test_a_scenario_fx_block_with_its_date_and_source_labels_the_total(tmp_path):
    path = tmp_path / "fx.yaml"
    path.write_text(
        """\
name: fx-given
seed: 2
currency: USD
merchants: [northwind-outfitters, tmall-like]
arrivals: {process: poisson, rate_per_minute: 120, sessions: 200}
shoppers: {outside_utility: 1.0}
fx: {CNY: "7.1", as_of: 2026-01-05, source: a bank's rates}
"""
    )
    summary = run_scenario(load_scenario(path)).summary
    converted, per = summary["converted"], summary["currencies"]
    assert converted["label"] == "converted to USD at a bank's rates, 2026-01-05"
    assert converted["gmv"] == per["usd"]["gmv"] + round(Fraction(per["cny"]["gmv"], 71) * 10)
    assert per["cny"]["inference_fx"]["rate"] == "7.1"
