"""Wrong stated prices: a forced error meets the stated rule; rate 0 is no knob at all.

Forty sessions at one store with 5% off everything. At rate 1 every session's assistant states
prices 20% below the real ones; the shopper buys only within 5% of the stated price, so every
shopper who reaches checkout walks away, and what the same sessions bought when told the truth
(the plain run) is exactly the GMV lost.
"""

from __future__ import annotations

import json

import pytest

from agent_checkout.sim.run import run_scenario
from agent_checkout.sim.scenario import load_scenario

SCENARIO = """\
name: wrong-price
seed: 11
merchants:
  - profile: northwind-outfitters
    promotions: [{id: five-off, kind: percentage, percent_bps: 500}]
arrivals: {process: poisson, rate_per_minute: 120, sessions: 40}
shoppers: {outside_utility: 1.0}
"""


def run(tmp_path, agent: str = "", name: str = "s") -> dict:
    path = tmp_path / f"{name}.yaml"
    path.write_text(SCENARIO + agent)
    return run_scenario(load_scenario(path)).summary


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> dict:
    return run(tmp_path_factory.mktemp("plain"), name="plain")


def test_a_price_stated_20_percent_low_is_abandoned_at_checkout(tmp_path, plain):
    wrong = run(
        tmp_path,
        "agent: {wrong_price: {rate: 1, error: {min_bps: 2000, max_bps: 2000}}}\n",
        name="wrong",
    )
    assert (plain["orders"], plain["gmv"]) == (31, 154644) and "wrong_price" not in plain
    # A lower stated price tempts more shoppers (34 chose, 31 did when told the truth).
    assert wrong["orders"] == 0
    assert wrong["outcomes"]["abandoned"] == 34
    assert wrong["wrong_price"] == {
        "rate": 1.0,
        "sessions_shown": 40,
        "bought_anyway": 0,
        "abandoned_at_checkout": 34,
        "other": 6,
        "gmv": 0,
        "gmv_without_error": 154644,
        "gmv_lost": 154644,
        "bought_without_error": 31,
    }


def test_a_price_stated_too_high_is_bought_anyway(tmp_path):
    wrong = run(
        tmp_path,
        "agent: {wrong_price: {rate: 1, "
        "error: {direction: above, min_bps: 2000, max_bps: 2000}}}\n",
    )
    figures = wrong["wrong_price"]
    # A higher stated price puts 4 of the 31 buyers off; the 27 others pay less than told.
    assert figures["bought_anyway"] == wrong["orders"] == 27
    assert (figures["abandoned_at_checkout"], figures["other"]) == (0, 13)
    assert figures["gmv"] == wrong["gmv"] == 116308
    assert (figures["gmv_without_error"], figures["gmv_lost"]) == (154644, 38336)


def test_rate_zero_is_byte_identical_to_no_knob(tmp_path, plain):
    zero = run(tmp_path, "agent: {wrong_price: {rate: 0}}\n", name="zero")
    assert json.dumps(zero, sort_keys=True) == json.dumps(plain, sort_keys=True)
