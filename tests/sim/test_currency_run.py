"""A run in another currency: its fees priced in it, its inference cost converted into it
through the FX table the summary names, never micro-dollars divided into fen."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import load_scenario

CNY_PROCESSING = """\
name: cny-processing
title: Card processing in China, 0.6% + 0.10 yuan (a test figure)
source: a test
currency: CNY
components:
  - {name: payment_processing, payee: payment_processor, base: total, rate_bps: 60, fixed: 10}
"""


def _scenario(folder: Path, currency: str, extra: str = "") -> Path:
    (folder / "cny-processing.yaml").write_text(CNY_PROCESSING.replace("CNY", currency.upper()))
    path = folder / f"{currency}.yaml"
    path.write_text(
        f"""\
name: in-{currency}
seed: 3
merchants:
  - {{profile: northwind-outfitters, currency: {currency}, fee_models: [cny-processing.yaml]}}
arrivals: {{process: poisson, rate_per_minute: 120, sessions: 200}}
shoppers: {{outside_utility: 1.0}}
{extra}"""
    )
    return path


def _inference_micros(summary: dict) -> int:
    return summary["agent_steps"] * 600  # the rules policy: 600 µUSD per step (AgentSpec)


def test_cny_run_prices_fees_in_cny_and_converts_inference_with_the_ecb_rate(tmp_path):
    summary = run_scenario(load_scenario(_scenario(tmp_path, "cny"))).summary
    assert summary["currency"] == "cny"
    assert summary["unhandled_errors"] == 0 and summary["orders"] > 0
    assert set(summary["fees_by_model"]) == {"openai-instant-checkout", "cny-processing"}
    micros = _inference_micros(summary)
    # µUSD -> USD -> CNY at 8.2626 / 1.1607 (ECB, EUR 1 = ...) -> fen, rounded once half-even
    expected = round(Fraction(micros, 10**6) * Fraction("8.2626") / Fraction("1.1607") * 100)
    assert summary["inference_cost"] == expected
    assert expected != micros // 10_000  # dividing µUSD into fen would have been wrong
    assert summary["inference_fx"] == {
        "from": "usd",
        "to": "cny",
        "rate": "7.11863530628",
        "as_of": "2025-10-21",
        "source": "ECB euro foreign exchange reference rates, 2025-10-21",
        "usd_micros": micros,
    }
    assert summary["ai_platform_net"] == summary["fees"]["ai_platform"] - expected


def test_a_scenario_fx_table_replaces_the_built_in_one(tmp_path):
    path = _scenario(tmp_path, "cny", extra='fx: {CNY: "7.1"}\n')
    summary = run_scenario(load_scenario(path)).summary
    micros = _inference_micros(summary)
    assert summary["inference_cost"] == round(Fraction(micros * 71 * 100, 10**6 * 10))
    assert summary["inference_fx"] == {
        "from": "usd",
        "to": "cny",
        "rate": "7.1",
        "as_of": None,
        "source": "scenario in-cny, fx (units per USD)",
        "usd_micros": micros,
    }


def test_jpy_inference_cost_is_in_whole_yen(tmp_path):
    summary = run_scenario(load_scenario(_scenario(tmp_path, "jpy"))).summary
    micros = _inference_micros(summary)
    assert summary["currency"] == "jpy" and summary["unhandled_errors"] == 0
    assert summary["inference_cost"] == round(
        Fraction(micros, 10**6) * Fraction("176.45") / Fraction("1.1607")
    )


def test_usd_inference_cost_is_micro_dollars_in_cents_at_rate_one(write_scenario):
    summary = run_scenario(load_scenario(write_scenario())).summary
    micros = _inference_micros(summary)
    assert summary["inference_cost"] == round(Fraction(micros, 10_000))
    assert summary["inference_fx"]["rate"] == "1" and summary["inference_fx"]["to"] == "usd"
