"""``compare --vary``: any scenario field varied on common random numbers. A neutrality audit
of three rankings gives exact per-variant welfare and revenue for one seed, demand moves with
the ranking while the shoppers and their arrivals stay the same, and ``--fee-models`` is the
same comparison as varying ``fees.ai_platform``."""

from __future__ import annotations

import itertools
import json

import pytest
from typer.testing import CliRunner

from agent_checkout.cli import app
from agent_checkout.sim.compare import (
    VariantError,
    compare_models,
    compare_variants,
    compare_vary,
    parse_vary,
    split_values,
    variants_of,
    vary,
)
from agent_checkout.sim.run import build_simulation
from agent_checkout.sim.scenario import Scenario
from tests.conftest import SMALL_SCENARIO

SMALL = Scenario.model_validate(SMALL_SCENARIO)
AUDIT = (
    "agent.ranking=neutral,"
    "{name: sponsored, params: {sponsors: [juniper], slots: 2}},"
    "{name: commission_weighted, params: {rates_bps: {juniper: 1500}, weight: 0.01}}"
)


def test_values_split_on_top_level_commas_and_read_as_yaml():
    assert split_values("neutral, {a: 1, b: [2, 3]},'x,y'") == [
        "neutral",
        "{a: 1, b: [2, 3]}",
        "'x,y'",
    ]
    path, values = parse_vary("shoppers.price_sensitivity=1,2.5,[3]")
    assert path == "shoppers.price_sensitivity"
    assert values == [("1", 1), ("2.5", 2.5), ("[3]", [3])]


def test_a_variant_changes_one_field_and_keeps_the_rest():
    dearer = vary(SMALL, "shoppers.price_sensitivity", 3)
    assert dearer.shoppers.price_sensitivity == 3
    assert dearer.shoppers.outside_utility == 1.0 and dearer.payments == SMALL.payments
    # a merchant named by its profile can have a field changed
    slow = vary(SMALL, "merchants.0.capacity", 2)
    assert [p.capacity for p in slow.merchant_profiles()][0] == 2
    assert slow.merchant_profiles()[1] == SMALL.merchant_profiles()[1]
    # a bare name is the named object with its defaults, or the scenario's own if it bears it
    mall = vary(SMALL, "agent.ranking", {"name": "first_party", "params": {"merchant_ids": ["x"]}})
    assert vary(mall, "agent.ranking", "first_party").agent.ranking.params == {
        "merchant_ids": ["x"]
    }
    # sponsored with no sponsors sells its slot to the advertisers, and is refused without any
    with pytest.raises(VariantError, match=r"^agent\.ranking: ranking 'sponsored' has no spons"):
        vary(mall, "agent.ranking", "sponsored")
    advertised = vary(mall, "advertisers", {"juniper": 60})
    assert vary(advertised, "agent.ranking", "sponsored").agent.ranking.params == {}
    with pytest.raises(VariantError, match=r"^agent\.rankin: unknown field$"):
        vary(SMALL, "agent.rankin", "neutral")


def test_variants_are_labelled_by_name_and_all_built_before_running():
    path, values = parse_vary(AUDIT)
    variants = variants_of(SMALL, path, values)
    assert list(variants) == ["neutral", "sponsored", "commission_weighted"]
    assert variants["sponsored"].agent.ranking.params == {"sponsors": ["juniper"], "slots": 2}
    with pytest.raises(VariantError, match=r"^agent\.ranking=nope: agent\.ranking\.name: "):
        variants_of(SMALL, *parse_vary("agent.ranking=neutral,nope"))


#: seed 11, one replication of 150 shoppers: (orders, GMV, AI platform revenue, surplus per
#: session, best item shown, shown first, mean position when shown). The sponsored ranking's
#: revenue includes the 44 clicks on its paid slots it bills at its cpc of 45 (1,980).
AUDIT_FIGURES = {
    "neutral": (103, 386_860, 14_434, 1_896, 0.711111, 0.22963, 2.447917),
    "sponsored": (98, 384_079, 16_310, 1_759, 0.705882, 0.198529, 2.604167),
    "commission_weighted": (67, 339_836, 12_678, 1_435, 0.306569, 0.029197, 3.238095),
}


def test_a_neutrality_audit_on_common_random_numbers():
    path, values = parse_vary(AUDIT)
    comparison = compare_variants(
        SMALL, variants_of(SMALL, path, values), seed=11, replications=1, vary=path
    )
    assert comparison["vary"] == "agent.ranking"
    assert comparison["variants"] == list(AUDIT_FIGURES)
    names = (
        "orders",
        "gmv",
        "ai_platform_revenue",
        "surplus_per_session",
        "best_shown_share",
        "best_first_share",
        "best_mean_position",
    )
    got = {
        label: tuple(comparison["figures"][label][name]["mean"] for name in names)
        for label in AUDIT_FIGURES
    }
    assert got == AUDIT_FIGURES
    # steering moves demand: not a fee-only comparison; the same shoppers came at the same times
    assert comparison["demand_identical"] is False
    assert comparison["arrivals_identical"] is True
    assert {comparison["figures"][v]["sessions"]["mean"] for v in AUDIT_FIGURES} == {150.0}
    steered = comparison["difference_vs_first"]["commission_weighted"]
    assert steered["surplus_per_session"]["mean"] == 1_435 - 1_896


def test_variants_see_the_same_shoppers_arriving_at_the_same_times():
    variants = variants_of(SMALL, *parse_vary(AUDIT))
    seen = []
    for changed in variants.values():
        simulation = build_simulation(changed, 11)
        gaps = list(itertools.islice(simulation.arrival_gaps, 150))
        shoppers = [simulation.shopper(i) for i in range(150)]
        seen.append(
            (gaps, [(s.need, s.budget, s.buyer, [c.number for c in s.cards]) for s in shoppers])
        )
    assert seen[0] == seen[1] == seen[2]
    assert len(seen[0][0]) == 150


def test_fee_models_are_variants_of_the_ai_platform_fees():
    models = ["flat-per-order", "openai-instant-checkout"]
    by_models = compare_models(SMALL, models, seed=11, replications=1)
    varied = compare_variants(
        SMALL,
        variants_of(
            SMALL, *parse_vary("fees.ai_platform=[flat-per-order],[openai-instant-checkout]")
        ),
        seed=11,
        replications=1,
        vary="fees.ai_platform",
    )
    assert varied["variants"] == ["[flat-per-order]", "[openai-instant-checkout]"]
    assert list(by_models["figures"].values()) == list(varied["figures"].values())
    assert by_models["models"] == models and by_models["demand_identical"] is True
    assert by_models["table"][0]["model"] == by_models["table"][0]["variant"] == models[0]
    # flat: 50 cents an order
    flat = by_models["figures"]["flat-per-order"]
    assert flat["ai_platform_revenue"]["mean"] == 50 * flat["orders"]["mean"] == 5_150


def test_the_cli_writes_welfare_and_revenue_with_intervals(tmp_path, monkeypatch):
    monkeypatch.setattr("agent_checkout.commands.compare.console.width", 200)
    path = tmp_path / "small.yaml"
    path.write_text(
        json.dumps({**SMALL_SCENARIO, "arrivals": {**SMALL_SCENARIO["arrivals"], "sessions": 40}})
    )
    out = tmp_path / "audit"
    result = CliRunner().invoke(
        app,
        [
            "compare",
            str(path),
            "--vary",
            "agent.ranking=neutral,{name: commission_weighted, "
            "params: {rates_bps: {juniper: 1500}, weight: 0.01}}",
            "--replications",
            "2",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "agent.ranking" in result.stdout and "shopper surplus / session" in result.stdout
    assert "arrivals the same in every variant" in result.stdout
    assert "change vs neutral, paired by replication" in result.stdout
    written = json.loads((out / "comparison.json").read_text())
    assert written["variants"] == ["neutral", "commission_weighted"]
    assert written["arrivals_identical"] is True
    surplus = written["figures"]["commission_weighted"]["surplus_per_session"]
    assert surplus["low"] < surplus["mean"] < surplus["high"]  # two replications: an interval
    rows = {(r["variant"], r["figure"]) for r in written["table"]}
    assert ("neutral", "best_shown_share") in rows and ("neutral", "ai_platform_revenue") in rows


def test_every_variant_is_checked_before_any_runs(tmp_path, monkeypatch):
    ran = []
    monkeypatch.setattr("agent_checkout.sim.compare.run_variants", lambda *a, **k: ran.append(a))
    path = tmp_path / "small.yaml"
    path.write_text(json.dumps(SMALL_SCENARIO))
    result = CliRunner().invoke(
        app, ["compare", str(path), "--vary", "shoppers.price_sensitivity=1,2,-3"]
    )
    assert (result.exit_code, ran) == (2, [])
    assert result.stderr.strip() == (
        "error: --vary shoppers.price_sensitivity=-3: shoppers.price_sensitivity: Input should "
        "be greater than or equal to 0"
    )


def test_the_python_api_takes_the_same_text(write_scenario):
    path = write_scenario(
        {**SMALL_SCENARIO, "arrivals": {**SMALL_SCENARIO["arrivals"], "sessions": 30}}
    )
    comparison = compare_vary(path, "shoppers.outside_utility=0,3", replications=1)
    assert comparison["variants"] == ["0", "3"] and comparison["seed"] == 11
    cheap, dear = (comparison["figures"][v]["orders"]["mean"] for v in ("0", "3"))
    assert dear < cheap  # buying nothing appeals more: fewer orders
    with pytest.raises(VariantError, match="^shoppers.price_sensitivity=-1: "):
        compare_vary(path, "shoppers.price_sensitivity=-1", replications=1)
