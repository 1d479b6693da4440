"""Replications and comparisons carry a summary's newer blocks: a mixed-currency run pooled per
currency with its converted total converted once from the pooled sums, wrong prices, presales,
discounts and cohorts pooled as sums (rates and the payback day recomputed from them), and a
mixed run's comparison read on its converted totals, labelled so."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from agent_checkout.cli import app
from agent_checkout.fees.fx import REFERENCE_FX
from agent_checkout.report import figure_rows
from agent_checkout.sim.currency_summary import CONVERTED_KEYS
from agent_checkout.sim.pooled_blocks import (
    block_figures,
    pooled_cohort_row,
    pooled_presales,
    pooled_wrong_price,
)
from agent_checkout.sim.replications import run_replicated
from agent_checkout.sim.scenario import load_scenario

ROOT = Path(__file__).parents[2]


def tiny(name: str, **changes) -> dict:
    """A built-in scenario's file with ``changes`` on top (keys of its top level)."""
    data = yaml.safe_load((ROOT / "scenarios" / f"{name}.yaml").read_text())
    return {**data, "name": f"tiny-{name}", **changes}


#: cross-border, 200 sessions, half of them paying in the chat (so the AI platform earns).
MIXED = tiny(
    "cross-border",
    arrivals={"process": "poisson", "rate_per_minute": 200, "sessions": 200},
    channels={"direct": 0.5, "ai_in_chat": 0.5},
)
#: subsidy-payback over 14 days, 2 users a day.
USERS = tiny("subsidy-payback")
USERS["users"] = {**USERS["users"], "new_per_day": 2, "horizon_days": 14}


def replicated(folder: Path, data: dict) -> tuple[dict, list[dict]]:
    """``data`` run with 2 replications into ``folder``: the pooled and own summaries."""
    path = folder / f"{data['name']}.yaml"
    path.write_text(yaml.safe_dump(data))
    scenario = load_scenario(path)
    pooled = run_replicated(scenario, seed=scenario.seed, replications=2, out=folder / "run")
    own = [
        json.loads((folder / "run" / "replications" / str(r) / "summary.json").read_text())
        for r in range(2)
    ]
    return pooled, own


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> tuple[dict, list[dict]]:
    return replicated(tmp_path_factory.mktemp("mixed"), MIXED)


def test_a_mixed_run_pools_each_currency_alone(mixed):
    pooled, reps = mixed
    assert "gmv" not in pooled and "fees" not in pooled  # nothing summed across currencies
    assert sorted(pooled["currencies"]) == ["cny", "usd"]
    for code, block in pooled["currencies"].items():
        own = [r["currencies"][code] for r in reps]
        integers = [k for k, v in own[0].items() if isinstance(v, int) and k != "aov"]
        assert {"gmv", "buyer_paid", "fees_total", "tax", "inference_cost"} <= set(integers)
        for key in integers:
            assert block[key] == sum(o[key] for o in own), (code, key)
        for payee in block["fees"]:
            assert block["fees"][payee] == sum(o["fees"].get(payee, 0) for o in own)
        assert block["buyer_paid"] == block["merchant_net"] + block["fees_total"] + block["tax"]
        assert block["aov"] == block["gmv"] // block["orders"]
    usd, cny = pooled["currencies"]["usd"], pooled["currencies"]["cny"]
    assert pooled["sessions"] == usd["sessions"] + cny["sessions"] == 400
    assert (usd["orders"], usd["gmv"], usd["fees"]["ai_platform"]) == (4, 19_938, 244)
    assert (cny["orders"], cny["gmv"], cny["fees"].get("ai_platform")) == (2, 95_800, None)


def test_the_pooled_converted_total_converts_each_pooled_currency_once(mixed):
    """The rule: each currency's pooled total converted once at the exact rate, rounded
    half-even, then summed; the replications' own converted totals (each rounded once) may
    sum to a cent or so more or less, by at most half a cent per currency and replication."""
    pooled, reps = mixed
    per, converted = pooled["currencies"], pooled["converted"]
    for key in CONVERTED_KEYS:
        assert converted[key] == sum(
            REFERENCE_FX.convert(per[code][key], code, "usd") for code in ("cny", "usd")
        ), key
        assert abs(converted[key] - sum(r["converted"][key] for r in reps)) <= 2 * 0.5 + 0.5
    # ¥958.00 at 0.140476363372 is 13,457.636 cents, rounded once: $134.58; the two
    # replications' own totals, each rounded, sum to a cent less
    assert converted["gmv"] == 19_938 + 13_458 == 33_396
    assert sum(r["converted"]["gmv"] for r in reps) == 33_395
    assert converted["label"].startswith("converted to USD at ECB")
    assert pooled["ci95"]["gmv"]["mean"] == statistics.fmean(r["converted"]["gmv"] for r in reps)


def test_compare_reads_a_mixed_run_on_converted_totals(mixed, tmp_path, monkeypatch):
    """Two AI-platform fee models on the same replications (the mixed fixture's seeds): the
    figures are the converted totals, labelled, and only the AI platform's take differs."""
    _, reps = mixed
    half = yaml.safe_load(
        (ROOT / "agent_checkout/fees/builtin/openai-instant-checkout.yaml").read_text()
    )
    half["name"] = "in-chat-2pct"
    half["components"][0]["rate_bps"] = 200
    (tmp_path / "in-chat-2pct.yaml").write_text(yaml.safe_dump(half))
    (tmp_path / "mixed.yaml").write_text(yaml.safe_dump(MIXED))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app,
        [
            "compare",
            "mixed.yaml",
            "--fee-models",
            "openai-instant-checkout,in-chat-2pct.yaml",
            "--replications",
            "2",
            "--out",
            "cmp",
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    words = " ".join(result.output.split())  # the console may wrap at any width
    assert "money figures: converted to USD at ECB euro foreign exchange reference" in words
    labels = {name: label for name, label, _ in figure_rows({}, "converted to USD")}
    assert labels["gmv"] == "GMV (buyer spend, converted to USD)"
    assert labels["ai_platform_revenue"] == "AI platform revenue (converted to USD)"
    assert labels["orders"] == "orders"  # counts are the same in every currency
    comparison = json.loads((tmp_path / "cmp" / "comparison.json").read_text())
    assert comparison["converted"] == (
        "converted to USD at ECB euro foreign exchange reference rates, 2025-10-21"
    )
    assert comparison["demand_identical"] is True
    four, two = (comparison["figures"][m] for m in comparison["variants"])
    assert four["gmv"] == two["gmv"]
    assert four["gmv"]["mean"] == statistics.fmean(r["converted"]["gmv"] for r in reps)
    revenue = [r["converted"]["fees"].get("ai_platform", 0) for r in reps]
    assert four["ai_platform_revenue"]["mean"] == statistics.fmean(revenue) == 122.0
    assert two["ai_platform_revenue"]["mean"] == 61.0  # half of each order's 4%, to the cent


def test_cohorts_pool_day_by_day_over_replications(tmp_path):
    pooled, reps = replicated(tmp_path, USERS)
    cohorts = pooled["cohorts"]
    assert [row["cohort"] for row in cohorts["rows"]] == [0, 1]
    for index, row in enumerate([*cohorts["rows"], cohorts["all"]]):
        own = [(r["cohorts"]["rows"] + [r["cohorts"]["all"]])[index] for r in reps]
        for key in ("users", "sessions", "orders", "fees", "coupons", "inference", "net"):
            assert row[key] == sum(o[key] for o in own), key
        first, second = (o["cumulative"] for o in own)
        assert row["cumulative"] == [a + b for a, b in zip(first, second, strict=True)]
        assert len(row["cumulative"]) == 14 - row["first_day"]
    everyone = cohorts["all"]
    assert (everyone["users"], everyone["acquisition"], everyone["red_packets"]) == (
        56,
        168_000,
        28_000,
    )
    assert everyone["payback_day"] is None and everyone["cumulative"][-1] == everyone["net"]
    assert cohorts["chat_turns"] == sum(r["cohorts"]["chat_turns"] for r in reps)
    assert pooled["ci95"]["cohorts_payback_day"]["mean"] == 14  # none: read as the horizon


def test_the_payback_day_is_read_off_the_pooled_series():
    one = {"cohort": 0, "first_day": 7, "users": 1, "cumulative": [-5, 3, 4]}
    two = {"cohort": 0, "first_day": 7, "users": 1, "cumulative": [-5, -4, 10]}
    zero = dict.fromkeys(("sessions", "orders", "fees", "coupons", "red_packets"), 0)
    zero |= dict.fromkeys(("acquisition", "inference", "net"), 0)
    row = pooled_cohort_row([one | zero, two | zero])
    assert row["cumulative"] == [-10, -1, 14]
    assert (row["payback_day"], row["payback_after_days"], row["users"]) == (9, 2, 2)


def test_wrong_prices_and_presales_pool_as_sums():
    wrong = {
        "rate": 0.1,
        "sessions_shown": 4,
        "bought_anyway": 1,
        "abandoned_at_checkout": 2,
        "other": 1,
        "gmv": 1_000,
        "gmv_without_error": 3_000,
        "gmv_lost": 2_000,
        "bought_without_error": 3,
    }
    other = {k: (v if k == "rate" else 2 * v) for k, v in wrong.items()}
    pooled = pooled_wrong_price([{"wrong_price": wrong}, {"wrong_price": other}, {}])
    assert pooled["wrong_price"] == {"rate": 0.1, **{k: 3 * v for k, v in wrong.items()}} | {
        "rate": 0.1
    }
    presale = dict.fromkeys(("started", "completed", "forfeited", "held"), 2)
    presale |= dict.fromkeys(("deposits_paid", "final_payments", "deposits_held"), 500)
    presale["forfeited_amount"] = 100
    pooled = pooled_presales([{"presales": presale}, {}, {"presales": presale}])
    assert pooled["presales"] == {k: 2 * v for k, v in presale.items()}
    assert pooled_presales([{}, {}]) == {} and pooled_wrong_price([{}]) == {}


def test_block_figures_are_read_only_where_a_block_exists():
    with_blocks = {
        "wrong_price": {"gmv_lost": 2_000},
        "discounts": {"by_funder": {"ai_platform": 300, "merchant": 50}},
    }
    readers = block_figures([with_blocks, {}])
    assert sorted(readers) == ["discounts_ai_platform", "wrong_price_gmv_lost"]
    assert [readers["wrong_price_gmv_lost"](s) for s in (with_blocks, {})] == [2_000, 0]
    assert [readers["discounts_ai_platform"](s) for s in (with_blocks, {})] == [300, 0]
