"""Companies as a reporting view: validation of who owns what, and consolidation by hand."""

from __future__ import annotations

from collections import Counter

import pytest

from agent_checkout.market import company_problem, consolidate, third_party_take_rate

MERCHANTS = ["mall", "juniper"]
KNOWN = (
    "ai_platform, marketplace, payment_processor, affiliate_network, tax_authority, "
    "merchant:mall, merchant:juniper"
)


@pytest.mark.parametrize(
    ("companies", "expected"),
    [
        ({"A": ["ai_platform", "merchant:mall"], "S": ["payment_processor"]}, None),
        ({"A": ["merchant:nope"]}, ("A", f"unknown party 'merchant:nope' (known: {KNOWN})")),
        ({"A": ["buyer"]}, ("A", f"unknown party 'buyer' (known: {KNOWN})")),
        (
            {"A": ["ai_platform"], "B": ["marketplace", "ai_platform"]},
            ("B", "party 'ai_platform' is already in companies.A; a party has one owner"),
        ),
        (
            {"A": ["marketplace", "marketplace"]},
            ("A", "party 'marketplace' is twice; a party has one owner"),
        ),
        ({"A": []}, ("A", f"name at least one party ({KNOWN})")),
        (
            {"merchant:mall": ["ai_platform"]},
            ("merchant:mall", "a company's name cannot be a party's name; choose another"),
        ),
    ],
)
def test_company_problem(companies, expected):
    assert company_problem(companies, MERCHANTS) == expected


# A first-party mall by hand: the mall sells 100.00 net of tax (8.00 tax) and moves all of it to
# the AI platform (first-party line), paying 3.20 to Stripe; juniper sells 50.00 and pays the AI
# platform 2.00 (4%) and Etsy 3.25. Postings per party, as the ledger holds them:
BY_PARTY = Counter(
    {
        "merchant:mall": 10000 - 10000 - 320,
        "merchant:juniper": 5000 - 200 - 325,
        "ai_platform": 10000 + 200,
        "payment_processor": 320,
        "marketplace": 325,
        "tax_authority": 800,
    }
)
FEES_PAID = Counter(
    {
        ("merchant:mall", "ai_platform"): 10000,
        ("merchant:mall", "payment_processor"): 320,
        ("merchant:juniper", "ai_platform"): 200,
        ("merchant:juniper", "marketplace"): 325,
    }
)
OWNER = {"Owner": ["ai_platform", "merchant:mall"]}


def test_consolidation_nets_out_the_owners_internal_fees():
    figures = consolidate(BY_PARTY, FEES_PAID, OWNER, inference_cost=150)
    assert figures["Owner"] == {
        "named": True,
        "parties": ["ai_platform", "merchant:mall"],
        "fees": 200,  # juniper's commission only
        "sales": 10000 - 320,  # the mall's sales, less what it paid outside the company
        "tax": 0,
        "internal_fees": 10000,
        "inference_cost": 150,
        "net": 200 + 9680 - 150,
    }
    assert figures["merchant:juniper"]["sales"] == 4475
    assert figures["tax_authority"]["tax"] == 800
    assert set(figures) == {
        "Owner",
        "merchant:juniper",
        "payment_processor",
        "marketplace",
        "tax_authority",
    }
    # Every company's fees + sales + tax is the sum of its parties' postings.
    for company in figures.values():
        posted = sum(BY_PARTY[p] for p in company["parties"])
        assert company["fees"] + company["sales"] + company["tax"] == posted


def test_unnamed_parties_stand_alone():
    figures = consolidate(BY_PARTY, FEES_PAID, {}, inference_cost=150)
    assert figures["ai_platform"] == {
        "named": False,
        "parties": ["ai_platform"],
        "fees": 10200,
        "sales": 0,
        "tax": 0,
        "internal_fees": 0,
        "inference_cost": 150,
        "net": 10050,
    }
    assert figures["merchant:mall"]["net"] == -320


def test_ai_take_rate_counts_third_party_fees_over_third_party_gmv():
    fees = {"ai_platform": 10200}
    gmv, by_merchant = 10800 + 5000, {"mall": 10800, "juniper": 5000}
    assert third_party_take_rate(FEES_PAID, fees, gmv, by_merchant, OWNER) == 0.04
    assert third_party_take_rate(FEES_PAID, fees, gmv, by_merchant, {}) == round(10200 / 15800, 6)
