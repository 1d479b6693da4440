"""Bad scenario files: each is refused at load with one line naming the file and the field.

Every case here crashed mid-run (a ``KeyError`` from an unknown category, a DuckDB overflow from
a huge seed, 117 of 200 sessions in ``unhandled_error`` from a CNY merchant priced by a USD fee
model) or printed money under the wrong label (``currency: eur`` over USD merchants).
"""

from __future__ import annotations

import pytest

from agent_checkout.sim.scenario import ScenarioError, load_scenario
from agent_checkout.sim.streams import SEED_MAX

HEAD = """\
name: bad
merchants: [northwind-outfitters]
arrivals: {process: poisson, rate_per_minute: 60, sessions: 20}
"""
KNOWN = (
    "apparel, beauty, electronics, footwear, home_decor, jewelry, kitchen, outdoor, phones, "
    "snacks, toys"
)
CNY_MERCHANT = """\
name: bad
merchants: [{profile: northwind-outfitters, currency: CNY, fee_models: []}]
arrivals: {process: poisson, rate_per_minute: 60, sessions: 20}
"""
BUILT_IN_FX = "AUD, CAD, CNY, EUR, GBP, JPY, USD"

# (id, YAML text, the message after "<path>: ", exactly)
CASES = [
    (
        "presale window ending before it starts",
        HEAD.replace(
            "[northwind-outfitters]",
            "\n  - profile: northwind-outfitters\n    presales:\n      - {id: p, category: "
            "footwear, deposit: 500, final_payment_starts_at: 2026-11-12T00:00:00Z, "
            "final_payment_ends_at: 2026-11-11T23:00:00Z}",
        ),
        "merchants.0: the profile is invalid: presales.0.final_payment_ends_at: "
        "2026-11-11T23:00:00+00:00 is not after final_payment_starts_at "
        "(2026-11-12T00:00:00+00:00)",
    ),
    (
        "users beside arrivals",
        HEAD + "users: {new_per_day: 2, return_curve: {1: 0.5}}\n",
        "arrivals: a scenario with users makes its sessions from their visits; leave arrivals out",
    ),
    (
        "unknown shopper category",
        HEAD + "shoppers: {categories: {spaceships: 1}}\n",
        f"shoppers.categories.spaceships: unknown shopper category (known: {KNOWN})",
    ),
    (
        "negative category weight",
        HEAD + "shoppers: {categories: {apparel: -1, toys: 2}}\n",
        "shoppers.categories.apparel: a weight is 0 or more, not -1.0",
    ),
    (
        "all category weights zero",
        HEAD + "shoppers: {categories: {apparel: 0, toys: 0}}\n",
        "shoppers.categories: give at least one shopper category a positive weight",
    ),
    (
        "unknown locale",
        HEAD + "shoppers: {locales: {xx_YY: 1}}\n",
        "shoppers.locales.xx_YY: unknown locale (Faker's, e.g. en_US, de_DE, ja_JP)",
    ),
    (
        "negative locale weight",
        HEAD + "shoppers: {locales: {en_US: 1, de_DE: -2}}\n",
        "shoppers.locales.de_DE: a weight is 0 or more, not -2.0",
    ),
    (
        "units with only zero weights",
        HEAD + "shoppers: {units: {1: 0}}\n",
        "shoppers.units: counts from 1 to 100 with non-negative weights, one > 0",
    ),
    (
        "currency other than the merchants'",
        HEAD + "currency: EUR\n",
        "currency: EUR does not match the merchants' currency USD (northwind); "
        "leave currency out or write USD",
    ),
    (
        "currency in lowercase, as ACP writes it, still compared",
        HEAD + "currency: eur\n",
        "currency: EUR does not match the merchants' currency USD (northwind); "
        "leave currency out or write USD",
    ),
    (
        "currency that is no ISO code",
        HEAD + "currency: euro\n",
        "currency: 'euro' is not a three-letter ISO 4217 currency code",
    ),
    (
        "merchants in two currencies",
        HEAD.replace(
            "[northwind-outfitters]",
            "[northwind-outfitters, {profile: juniper-handmade, currency: eur, fee_models: []}]",
        ),
        "currency: the merchants sell in several currencies (USD: northwind; EUR: juniper); "
        "name the currency the converted total is reported in, e.g. currency: USD",
    ),
    (
        "merchant in an unknown currency",
        CNY_MERCHANT.replace("CNY", "XYZ"),
        "merchants.0: the profile is invalid: currency: unknown currency 'XYZ' "
        "(not an ISO 4217 code)",
    ),
    (
        "unknown reporting currency",
        HEAD + "currency: XYZ\n",
        "currency: unknown currency 'XYZ' (not an ISO 4217 code)",
    ),
    (
        "mixed run in a currency the FX table lacks",
        HEAD.replace(
            "[northwind-outfitters]",
            "[northwind-outfitters, {profile: juniper-handmade, currency: sek, fee_models: []}]",
        )
        + "currency: USD\n",
        f"fx: no exchange rate for SEK to convert the run's totals (the table has {BUILT_IN_FX}); "
        'add fx: {SEK: "<units per US dollar>"}',
    ),
    (
        "mixed run reported in a currency the scenario's FX table lacks",
        HEAD.replace("[northwind-outfitters]", "[northwind-outfitters, tmall-like]")
        + 'currency: JPY\nfx: {CNY: "7.1", as_of: 2026-01-05, source: a bank}\n',
        "fx: no exchange rate for JPY to convert the run's totals (the table has CNY, USD); "
        'add fx: {JPY: "<units per US dollar>"}',
    ),
    (
        "session share for a currency no merchant sells in",
        HEAD.replace("[northwind-outfitters]", "[northwind-outfitters, tmall-like]")
        + "currency: USD\ncurrency_shares: {USD: 1, EUR: 1}\n",
        "currency_shares.eur: unknown currency (no merchant sells in it) (known: cny, usd)",
    ),
    (
        "CNY merchant priced by shopify-basic (USD)",
        HEAD.replace("[northwind-outfitters]", "[{profile: northwind-outfitters, currency: cny}]"),
        "merchants.0.fee_models: fee model shopify-basic is priced in USD, but merchant "
        "northwind sells in CNY; use a model with currency: CNY, or one of rates only",
    ),
    (
        "AI platform model with USD amounts over a CNY merchant",
        CNY_MERCHANT + "fees: {ai_platform: [openai-instant-checkout, flat-per-order]}\n",
        "fees.ai_platform: fee model flat-per-order is priced in USD, but merchant northwind "
        "sells in CNY; use a model with currency: CNY, or one of rates only",
    ),
    (
        "FX table without the run's currency",
        CNY_MERCHANT + 'fx: {EUR: "0.92"}\n',
        "fx: no exchange rate for CNY to convert inference cost (the table has EUR, USD); "
        'add fx: {CNY: "<units per US dollar>"}',
    ),
    (
        "currency the built-in FX table lacks",
        CNY_MERCHANT.replace("CNY", "SEK"),
        f"fx: no exchange rate for SEK to convert inference cost (the table has {BUILT_IN_FX}); "
        'add fx: {SEK: "<units per US dollar>"}',
    ),
    (
        "FX rate that is not positive",
        HEAD + 'fx: {EUR: "-0.92"}\n',
        "fx: rate '-0.92' must be a positive number",
    ),
    (
        "seed beyond what the ledger stores",
        HEAD + "seed: 99999999999999999999999\n",
        f"seed: 99999999999999999999999 is out of range: give 0 to {SEED_MAX} (2**63 - 1)",
    ),
    (
        "negative seed",
        HEAD + "seed: -5\n",
        f"seed: -5 is out of range: give 0 to {SEED_MAX} (2**63 - 1)",
    ),
    (
        "unknown decline reason",
        HEAD + "payments: {decline_rates: {stolen_card: 0.1}}\n",
        "payments.decline_rates.stolen_card: unknown decline reason (known: expired_card, "
        "fraudulent, generic_decline, insufficient_funds)",
    ),
    (
        "decline rate above 1",
        HEAD + "payments: {decline_rates: {insufficient_funds: 2}}\n",
        "payments.decline_rates.insufficient_funds: a rate is within 0 and 1, not 2.0",
    ),
    (
        "decline rates summing above 1",
        HEAD + "payments: {decline_rates: {insufficient_funds: 0.6, fraudulent: 0.6}}\n",
        "payments.decline_rates: decline rates sum to more than 1",
    ),
    (
        "two merchants with one id",
        HEAD.replace("[northwind-outfitters]", "[northwind-outfitters, northwind-outfitters]"),
        "merchants.1: two merchants share the id 'northwind'",
    ),
    (
        "unknown catalog category in a profile",
        HEAD.replace(
            "[northwind-outfitters]",
            "[{profile: northwind-outfitters, catalog: {categories: {spaceships: 1}}}]",
        ),
        f"merchants.0.catalog.categories.spaceships: unknown catalog category (known: {KNOWN})",
    ),
    (
        "catalog stock range upside down",
        HEAD.replace(
            "[northwind-outfitters]",
            "[{profile: northwind-outfitters, catalog: {stock_min: 30, stock_max: 5}}]",
        ),
        "merchants.0.catalog.stock_min: 30 is above stock_max (5)",
    ),
    (
        "unknown discount kind",
        HEAD.replace(
            "[northwind-outfitters]",
            "[{profile: northwind-outfitters, promotions: [{id: x, kind: bogus, amount: 1}]}]",
        ),
        "merchants.0: the profile is invalid: promotions.0.kind: Input should be 'percentage', "
        "'fixed_amount', 'store_coupon', 'threshold', 'platform_coupon' or 'credit'",
    ),
    (
        "negative discount amount",
        HEAD.replace(
            "[northwind-outfitters]",
            "[{profile: northwind-outfitters, "
            "promotions: [{id: x, kind: fixed_amount, amount: -100}]}]",
        ),
        "merchants.0: the profile is invalid: promotions.0.amount: Input should be greater than 0",
    ),
    (
        "threshold discount without its amount",
        HEAD.replace(
            "[northwind-outfitters]",
            "[{profile: northwind-outfitters, promotions: [{id: x, kind: threshold, every: 300}]}]",
        ),
        "merchants.0: the profile is invalid: promotions.0: a threshold promotion needs amount",
    ),
    (
        "unknown top-level field",
        HEAD + "colour: blue\n",
        "colour: unknown field",
    ),
    (
        "company with an unknown party",
        HEAD + "companies: {Amazon: [ai_platform, merchant:nope]}\n",
        "companies.Amazon: unknown party 'merchant:nope' (known: ai_platform, marketplace, "
        "payment_processor, affiliate_network, tax_authority, merchant:northwind)",
    ),
    (
        "party in two companies",
        HEAD + "companies: {A: [ai_platform], B: [marketplace, ai_platform]}\n",
        "companies.B: party 'ai_platform' is already in companies.A; a party has one owner",
    ),
    (
        "sponsored ranking billed twice",
        HEAD
        + "agent: {ranking: {name: sponsored, params: {sponsors: [northwind]}}}\n"
        + "fees: {ai_platform: [openai-instant-checkout, sponsored-cpc]}\n",
        "fees.ai_platform: fee model sponsored-cpc bills sponsored clicks that the sponsored "
        "ranking already bills at agent.ranking.params.cpc; remove it (set the price per click "
        "with cpc)",
    ),
    (
        "sponsored ranking with no sponsor and no advertiser",
        HEAD + "agent: {ranking: {name: sponsored}}\n",
        "agent.ranking: ranking 'sponsored' has no sponsors: no merchant advertises; give "
        "advertisers: {<merchant id>: {cpc: <minor units per click>}} in the scenario, or "
        "agent.ranking.params.sponsors",
    ),
    (
        "sponsored ranking with a cpc but no sponsors",
        HEAD
        + "advertisers: {northwind: 40}\nagent: {ranking: {name: sponsored, params: {cpc: 9}}}\n",
        "agent.ranking: ranking 'sponsored': cpc prices the clicks of the sponsors you name; "
        "give sponsors with it, or leave both out so the advertisers pay their own bids",
    ),
    (
        "commission-weighted ranking with no commission",
        HEAD
        + "agent: {ranking: {name: commission_weighted}}\n"
        + "fees: {ai_platform: [sponsored-cpc]}\n",
        "agent.ranking: ranking 'commission_weighted' has no commission to weigh: no fee model "
        "pays the AI platform on a sale (fees.ai_platform: sponsored-cpc); add a commission "
        "model (e.g. openai-instant-checkout) or give agent.ranking.params.rates_bps",
    ),
    (
        "advertiser that is not a merchant",
        HEAD + "advertisers: {acme: {cpc: 40}}\n",
        "advertisers.acme: unknown merchant (known: northwind)",
    ),
    (
        "advertiser bidding nothing",
        HEAD + "advertisers: {northwind: 0}\n",
        "advertisers.northwind.cpc: Input should be greater than or equal to 1",
    ),
    (
        "unknown traffic channel",
        HEAD + "channels: {tv: 1}\n",
        "channels.tv: unknown channel (known: affiliate, ai_in_chat, ai_link_out, direct, "
        "email, marketplace_assistant, organic_search, paid_search, paid_social)",
    ),
    (
        "negative channel share",
        HEAD + "channels: {direct: -1}\n",
        "channels.direct.share: Input should be greater than or equal to 0",
    ),
    (
        "no channel with a share",
        HEAD + "channels: {direct: 0}\n",
        "channels: give at least one channel a positive share",
    ),
    (
        "unknown intent",
        HEAD + "channels: {direct: {share: 1, intents: {bored: 1}}}\n",
        "channels.direct.intents.bored: unknown intent "
        "(known: researching, comparing, gift_with_deadline, ready_to_buy)",
    ),
    (
        "bad channel shopper override",
        HEAD + "channels: {direct: {share: 1, shoppers: {trust: 2}}}\n",
        "channels.direct.shoppers.trust: Input should be less than or equal to 1",
    ),
    (
        "in-chat acceptance on a channel paying on the site",
        HEAD + "channels: {direct: {share: 1, in_chat_acceptance: 0.5}}\n",
        "channels.direct.in_chat_acceptance: applies only to a channel paying in the chat",
    ),
    (
        "in-chat acceptance above 1",
        HEAD + "channels: {ai_in_chat: {share: 1, in_chat_acceptance: 1.5}}\n",
        "channels.ai_in_chat.in_chat_acceptance: Input should be less than or equal to 1",
    ),
    (
        "channels with a click-out monetization mode",
        HEAD + "channels: {direct: 1}\nmonetization: {mode: click_out}\n",
        "monetization.mode: with channels, each channel says where its shoppers pay "
        "(ai_link_out links out, ai_in_chat pays in the chat); leave mode out",
    ),
    (
        "wrong price rate above 1",
        HEAD + "agent: {wrong_price: {rate: 1.5}}\n",
        "agent.wrong_price.rate: Input should be less than or equal to 1",
    ),
    (
        "wrong price without a rate",
        HEAD + "agent: {wrong_price: {}}\n",
        "agent.wrong_price.rate: Field required",
    ),
    (
        "wrong price error range reversed",
        HEAD + "agent: {wrong_price: {rate: 0.1, error: {min_bps: 500, max_bps: 100}}}\n",
        "agent.wrong_price.error.max_bps: must be at least min_bps",
    ),
    (
        "wrong price error with an unknown key",
        HEAD + "agent: {wrong_price: {rate: 0.1, error: {size: 3}}}\n",
        "agent.wrong_price.error.size: unknown field",
    ),
    (
        "wrong price in a run with several currencies",
        "name: bad\ncurrency: USD\nmerchants: [northwind-outfitters, "
        "{profile: juniper-handmade, currency: CNY, fee_models: []}]\n"
        "arrivals: {process: poisson, rate_per_minute: 60, sessions: 20}\n"
        "agent: {wrong_price: {rate: 0.1}}\n",
        "agent.wrong_price: not available in a run with several currencies "
        "(its GMV would add them up)",
    ),
    (
        "expect with an unknown invariant",
        HEAD + "expect: {invariants: [no_refunds]}\n",
        "expect.invariants.0: Input should be 'no_unhandled_error', 'no_oversell' or "
        "'ledger_balances'",
    ),
    (
        "expect with two baseline tolerances",
        HEAD + "expect: {baseline: {metrics: {gmv: {absolute: 5, relative: 0.1}}}}\n",
        "expect.baseline.metrics.gmv: give exactly one of absolute, relative or ci95: true",
    ),
    (
        "expect with ci95 on one replication",
        HEAD + "expect: {baseline: {metrics: {gmv: {ci95: true}}}}\n",
        "expect: baseline.metrics.gmv: ci95 needs replications of 2 or more",
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_scenario_is_one_line_naming_file_and_field(tmp_path, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    message = str(raised.value)
    assert without_line(message, path, text) == f"{path}: {expected}"
    assert "\n" not in message and "Value error" not in message


def without_line(message: str, path: object, text: str) -> str:
    """``message`` with its ``:line`` after the file dropped, once checked to be a line of
    ``text``; the lines themselves are pinned in tests/sim/test_scenario_source.py."""
    head = f"{path}:"
    if message.startswith(head) and (number := message[len(head) :].split(":")[0]).isdigit():
        assert 1 <= int(number) <= len(text.splitlines())
        return f"{path}{message[len(head) + len(number) :]}"
    return message


@pytest.mark.parametrize(
    ("text", "required"),
    [
        (
            HEAD + "fees: {ai_platform: [nope]}\n",
            "fees: unknown fee model 'nope' (built in: affiliate-network, amazon-associates, ",
        ),
        (
            HEAD + "channels: {affiliate: {share: 1, fee_models: [nope]}}\n",
            "channels.affiliate.fee_models: unknown fee model 'nope' (built in: "
            "affiliate-network, ",
        ),
        (
            HEAD.replace("[northwind-outfitters]", "[no-such-profile]"),
            "merchants.0: no merchant profile 'no-such-profile' "
            "(built in: flower-shop, jd-like, juniper-handmade, ",
        ),
    ],
    ids=["unknown fee model", "unknown channel fee model", "unknown merchant profile"],
)
def test_unknown_names_list_the_known_ones(tmp_path, text, required):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    message = without_line(str(raised.value), path, text)
    assert message.startswith(f"{path}: {required}")
    assert "\n" not in message and "Value error" not in message


def test_currency_may_be_left_out_or_written_in_any_case(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(HEAD)
    assert load_scenario(path).currency == "usd"
    path.write_text(HEAD + "currency: USD\n")
    assert load_scenario(path).currency == "usd"
    path.write_text(CNY_MERCHANT)
    assert load_scenario(path).currency == "cny"  # taken from the merchants


def test_seed_max_itself_is_accepted(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(HEAD + f"seed: {SEED_MAX}\n")
    assert load_scenario(path).seed == SEED_MAX == 2**63 - 1


def test_catalog_prices_marked_in_another_currency_are_refused(tmp_path):
    (tmp_path / "mugs.csv").write_text(
        "id,title,category,price,stock\nmug-1,Mug,kitchen,$4.00,5\nmug-2,Mug,kitchen,€12.50,5\n"
    )
    path = tmp_path / "bad.yaml"
    path.write_text(
        HEAD.replace(
            "[northwind-outfitters]", "[{profile: northwind-outfitters, catalog: {file: mugs.csv}}]"
        )
    )
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert str(raised.value) == (
        f"{path}:2: merchants.0: {tmp_path / 'mugs.csv'}: row 3, field price: "
        "'€12.50' is marked €, but the catalog is in USD"
    )
