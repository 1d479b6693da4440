"""A replicated run's pooled summary carries a single run's money, and it adds up: every count
and amount is the sum of the replications' own summaries (read back from
``replications/r/summary.json``), rates are recomputed from those sums, and
``buyer_paid == merchant_net + fees_total + tax`` holds to the minor unit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from agent_checkout.cli import app
from agent_checkout.market.companies import take_rate
from agent_checkout.sim.replications import summed
from tests.conftest import SMALL_SCENARIO, fixed_channels

# Paid clicks (juniper's offers in the sponsored slot at 30 per click), a fifth of orders
# returned, three channels, and a company owning the assistant and a merchant.
PAID_CLICKS = {
    **SMALL_SCENARIO,
    "name": "pooled-paid-clicks",
    "agent": {"ranking": {"name": "sponsored", "params": {"sponsors": ["juniper"], "cpc": 30}}},
    "returns": {"rate": 0.2},
    "channels": fixed_channels({"direct": 0.4, "ai_link_out": 0.3, "ai_in_chat": 0.3}),
    "companies": {"Assistant Owner": ["ai_platform", "merchant:northwind"]},
}

#: What a single run's summary holds that a pooled one cannot add up (percentiles, time rows).
PER_REPLICATION_ONLY = {"session_seconds", "latency_ms", "timeseries"}


@pytest.fixture(scope="module")
def replicated(tmp_path_factory) -> dict:
    """``agent-checkout run --replications 3`` (seed 11): its output, pooled summary and the
    three replications' own summaries."""
    folder = tmp_path_factory.mktemp("pooled")
    scenario = folder / "paid-clicks.yaml"
    scenario.write_text(yaml.safe_dump(PAID_CLICKS))
    out = folder / "run"
    result = CliRunner().invoke(
        app,
        ["run", str(scenario), "--replications", "3", "--out", str(out)],
        env={"COLUMNS": "160"},
    )
    assert result.exit_code == 0, result.output

    def read(path: Path) -> dict:
        return json.loads(path.read_text())

    return {
        "output": result.output,
        "pooled": read(out / "summary.json"),
        "replications": [read(out / "replications" / str(r) / "summary.json") for r in range(3)],
    }


def test_pooled_money_adds_up_to_the_minor_unit(replicated):
    s = replicated["pooled"]
    # Nothing here is vacuous: clicks were paid, orders returned, tax collected.
    assert (s["clicks"], s["click_fees"], s["fees_by_model"]["sponsored-ranking"]) == (12, 60, 60)
    assert (s["orders"], s["refunds"], s["refunded"]) == (27, 9, 40097)
    assert (s["gmv"], s["buyer_paid"]) == (102226, 62129)
    assert (s["merchant_net"], s["fees_total"], s["tax"]) == (51828, 6101, 4200)
    assert s["buyer_paid"] == s["merchant_net"] + s["fees_total"] + s["tax"]
    assert s["buyer_paid"] == s["gmv"] - s["refunded"]  # no buyer-side click fee here
    assert s["fees"] == {"ai_platform": 240, "marketplace": 2671, "payment_processor": 3190}
    assert s["fees_total"] == sum(s["fees"].values()) == sum(s["fees_by_model"].values())


def test_every_pooled_integer_is_the_sum_of_the_replications(replicated):
    pooled, reps = replicated["pooled"], replicated["replications"]
    assert set(reps[0]) - set(pooled) == PER_REPLICATION_ONLY
    # Every integer but the seed and the average order value (a quotient, checked below).
    integers = [k for k, v in reps[0].items() if isinstance(v, int) and k not in ("seed", "aov")]
    assert {"buyer_paid", "refunded", "tax", "click_fees", "merchant_net"} <= set(integers)
    for key in integers:
        assert pooled[key] == sum(r[key] for r in reps), key
    maps = [
        k
        for k, v in reps[0].items()
        if isinstance(v, dict) and k not in PER_REPLICATION_ONLY and k != "inference_fx"
        if all(isinstance(x, int) for x in v.values())
    ]
    assert set(maps) == {
        "ai_platform_third_party",
        "funnel",
        "fees",
        "fees_by_model",
        "orders_by_merchant",
        "gmv_by_merchant",
        "outcomes",
        "errors",
    }
    for key in maps:
        keys = {k for r in reps for k in r[key]}
        assert pooled[key] == {k: sum(r[key].get(k, 0) for r in reps) for k in keys}, key
    assert list(pooled["funnel"]) == list(reps[0]["funnel"])  # the funnel's own order
    usd = sum(r["inference_fx"]["usd_micros"] for r in reps)
    assert pooled["inference_fx"]["usd_micros"] == usd == 609000


def test_rates_are_recomputed_from_the_pooled_sums(replicated):
    s, reps = replicated["pooled"], replicated["replications"]
    assert s["conversion_rate"] == round(27 / 450, 6) == 0.06
    assert s["aov"] == 102226 // 27 == 3786
    assert s["take_rate"] == round(6101 / 102226, 6) == 0.059681
    # The AI platform's fees (all from juniper, outside its company) over juniper's GMV.
    juniper = sum(r["gmv"] - r["gmv_by_merchant"]["northwind"] for r in reps)
    assert s["ai_platform_take_rate"] == round(240 / juniper, 6) == 0.004292
    assert [r["ai_platform_take_rate"] for r in reps] == [0.0, 0.005811, 0.006059]  # not a mean
    started = s["funnel"]["checkout_started"]
    assert s["checkout_abandonment"] == round(1 - s["funnel"]["paid"] / started, 6) == 0.25


def test_companies_are_the_sums_of_the_replications(replicated):
    pooled, reps = replicated["pooled"]["companies"], replicated["replications"]
    assert set(pooled) == {c for r in reps for c in r["companies"]}
    for name, figures in pooled.items():
        rows = [r["companies"][name] for r in reps if name in r["companies"]]
        for key in ("fees", "sales", "tax", "internal_fees", "inference_cost", "net"):
            assert figures[key] == sum(row[key] for row in rows), (name, key)
        assert figures["parties"] == sorted({p for row in rows for p in row["parties"]})
    owner = pooled["Assistant Owner"]
    assert (owner["fees"], owner["sales"], owner["inference_cost"], owner["net"]) == (
        240,
        21111,
        61,
        21290,
    )


def test_channels_are_the_sums_of_the_replications(replicated):
    pooled, reps = replicated["pooled"], replicated["replications"]
    channels = pooled["channels"]
    assert list(channels) == ["ai_in_chat", "ai_link_out", "direct"]
    for name, figures in channels.items():
        rows = [r["channels"][name] for r in reps]
        for key in ("sessions", "orders", "gmv", "refunded", "clicks", "inference_cost"):
            assert figures[key] == sum(row[key] for row in rows), (name, key)
        for key in ("fees", "funnel"):
            keys = {k for row in rows for k in row[key]}
            assert figures[key] == {k: sum(row[key].get(k, 0) for row in rows) for k in keys}
        for intent, counts in figures["intents"].items():
            for key in ("sessions", "orders"):
                assert counts[key] == sum(
                    row["intents"].get(intent, {}).get(key, 0) for row in rows
                ), (name, intent, key)
        assert figures["conversion_rate"] == round(figures["orders"] / figures["sessions"], 6)
        assert figures["revenue_per_session"] == figures["gmv"] // figures["sessions"]
    assert sum(c["sessions"] for c in channels.values()) == pooled["sessions"]
    assert sum(c["gmv"] for c in channels.values()) == pooled["gmv"]
    assert sum(c["refunded"] for c in channels.values()) == pooled["refunded"]
    direct = channels["direct"]
    assert (direct["sessions"], direct["orders"], direct["conversion_rate"]) == (179, 16, 0.089385)
    assert (direct["gmv"], direct["revenue_per_session"]) == (65878, 368)
    # Per replication: 7/66, 4/58, 5/55 of direct sessions converted.
    assert [r["channels"]["direct"]["conversion_rate"] for r in reps] == [
        0.106061,
        0.068966,
        0.090909,
    ]
    assert pooled["ci95"]["channel:direct:conversion_rate"] == {
        "mean": 0.088645,
        "low": 0.042314,
        "high": 0.134977,
    }
    assert "channel:ai_in_chat:revenue_per_session" in pooled["ci95"]


def test_the_printout_shows_channels_and_the_pooled_money(replicated):
    output = replicated["output"]
    assert "pooled money: buyers paid $621.29 = merchants $518.28 + fees $61.01 + tax $42.00" in (
        output
    )
    assert "Assistant Owner net (company)" in output
    direct = next(line for line in output.splitlines() if "│ direct" in line)
    assert "179" in direct and "8.94%" in direct and "8.86% [4.23%, 13.50%]" in direct


def test_the_take_rate_pools_fees_over_outside_gmv_not_rates():
    """Each summary keeps the two integers its AI take rate divides, so pooling is exact
    whatever the platform's company owns."""
    sales = [{"fees": 90, "gmv": 600}, {"fees": 130, "gmv": 1500}]
    assert [take_rate(s) for s in sales] == [0.15, 0.086667]
    pooled = summed(sales, ("fees", "gmv"))
    # (90 + 130) / (600 + 1500), not the mean of 0.15 and 0.086667.
    assert take_rate(pooled) == round(220 / 2100, 6) == 0.104762
