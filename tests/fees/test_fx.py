"""The FX table: exact rates, ISO 4217 exponents, one half-even rounding per conversion."""

from __future__ import annotations

from fractions import Fraction

import pytest

from agent_checkout.agent.pricing_table import micros_to_minor
from agent_checkout.fees.fx import REFERENCE_FX, FxError, FxTable
from agent_checkout.fees.library import FeeModelError, read_fee_model
from agent_checkout.fees.model import FeeModel

EUR_AT_092 = FxTable.per_usd({"EUR": "0.92", "JPY": "150", "cny": "7.1"}, source="test")


def test_micro_dollars_to_euro_cents_round_once_half_even():
    # 1.234567 USD x 0.92 = 1.13580164 EUR = 113.580164 cents
    assert EUR_AT_092.micros_usd_to_minor(1_234_567, "eur") == 114
    # 0.005 USD x 0.92 = 0.46 cents -> 0; 0.0125 USD x 0.92 = 1.15 cents -> 1
    assert EUR_AT_092.micros_usd_to_minor(5_000, "EUR") == 0
    assert EUR_AT_092.micros_usd_to_minor(12_500, "eur") == 1


def test_half_even_ties_go_to_the_even_minor_unit():
    # 25,000 µUSD x 1 = 2.5 cents -> 2; 35,000 -> 3.5 -> 4
    assert EUR_AT_092.micros_usd_to_minor(25_000, "usd") == 2
    assert EUR_AT_092.micros_usd_to_minor(35_000, "usd") == 4
    # JPY has no minor unit: 0.01 USD x 150 = 1.5 yen -> 2
    assert EUR_AT_092.micros_usd_to_minor(10_000, "jpy") == 2
    assert EUR_AT_092.micros_usd_to_minor(16_667, "jpy") == 3  # 2.50005 yen
    assert EUR_AT_092.micros_usd_to_minor(16_666, "jpy") == 2  # 2.4999 yen


def test_jpy_has_exponent_zero_and_usd_two():
    assert EUR_AT_092.micros_usd_to_minor(1_234_567, "jpy") == 185  # 185.18505 yen
    assert EUR_AT_092.micros_usd_to_minor(1_234_567, "usd") == 123  # 123.4567 cents
    assert EUR_AT_092.convert(100, "jpy", "usd") == 67  # ¥100 / 150 = $0.6666...
    assert EUR_AT_092.convert(1_000, "eur", "jpy") == 1_630  # €10 / 0.92 x 150 = ¥1630.43


def test_reference_table_is_the_ecb_rates_of_its_date_with_exact_cross_rates():
    assert REFERENCE_FX.as_of == "2025-10-21"
    assert "ECB" in REFERENCE_FX.source
    assert REFERENCE_FX.currencies == ["aud", "cad", "cny", "eur", "gbp", "jpy", "usd"]
    assert REFERENCE_FX.rate("usd", "cny") == Fraction(82_626, 11_607)
    # 1.234567 USD x 8.2626 / 1.1607 = 8.78840... CNY = 878.840... fen
    assert REFERENCE_FX.micros_usd_to_minor(1_234_567, "cny") == 879
    # 1.234567 / 1.1607 = 1.063644... EUR
    assert REFERENCE_FX.micros_usd_to_minor(1_234_567, "eur") == 106
    assert REFERENCE_FX.micros_usd_to_minor(1_234_567, "jpy") == 188  # 187.679... yen
    assert REFERENCE_FX.describe("usd", "cny") == {
        "from": "usd",
        "to": "cny",
        "rate": "7.11863530628",
        "as_of": "2025-10-21",
        "source": "ECB euro foreign exchange reference rates, 2025-10-21",
    }
    assert REFERENCE_FX.describe("usd", "usd")["rate"] == "1"


def test_pricing_table_converts_through_the_table_not_by_dividing():
    assert micros_to_minor(1_234_567) == 123
    assert micros_to_minor(1_234_567, "cny") == 879
    assert micros_to_minor(1_234_567, "eur", EUR_AT_092) == 114


@pytest.mark.parametrize(
    ("rates", "message"),
    [
        ({"EUR": "0"}, "rate '0' must be a positive number"),
        ({"EUR": "-1"}, "rate '-1' must be a positive number"),
        ({"EUR": "abc"}, "rate 'abc' is not a decimal number"),
        ({"EURO": "1"}, "'EURO' is not a three-letter ISO 4217 currency code"),
        ({"USD": "2"}, "the base currency USD must have rate 1"),
    ],
)
def test_bad_rates_are_refused(rates, message):
    with pytest.raises(FxError) as raised:
        FxTable.per_usd(rates, source="test")
    assert str(raised.value) == message


def test_a_currency_missing_from_the_table_is_named():
    with pytest.raises(FxError, match="no exchange rate for SEK in the FX table"):
        REFERENCE_FX.micros_usd_to_minor(1, "sek")


def test_fee_model_currency_is_case_free_and_defaults_to_usd_only_with_amounts():
    rates = {"name": "r", "title": "r", "source": "s"}
    percent = {"name": "p", "payee": "ai_platform", "rate_bps": 400}
    fixed = {"name": "f", "payee": "ai_platform", "fixed": 30}
    assert FeeModel.model_validate({**rates, "components": [percent]}).currency is None
    assert FeeModel.model_validate({**rates, "components": [fixed]}).currency == "usd"
    eur = FeeModel.model_validate({**rates, "currency": "EUR", "components": [fixed]})
    assert eur.currency == "eur" and eur.prices("EUR") and not eur.prices("usd")
    tiered = {
        "name": "t",
        "payee": "ai_platform",
        "tiers": {"bands": [{"at_least": 0, "rate_bps": 100}, {"at_least": 500, "rate_bps": 50}]},
    }
    assert FeeModel.model_validate({**rates, "components": [tiered]}).currency == "usd"


def test_currency_null_with_amounts_is_refused_in_one_line(tmp_path):
    path = tmp_path / "any.yaml"
    path.write_text(
        "name: any\ntitle: t\nsource: s\ncurrency: null\n"
        "components:\n  - {name: order_fee, payee: ai_platform, fixed: 50}\n"
    )
    with pytest.raises(FeeModelError) as raised:
        read_fee_model(path)
    assert str(raised.value) == (
        f"{path}: currency: null means any currency, but component order_fee has amounts: "
        "give the currency they are in"
    )
