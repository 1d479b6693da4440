"""Every way a checkout can go: each path forced, with its exact outcome and calls."""

from __future__ import annotations

from merchants.acp import PaymentMethodCard
from merchants.errors import ProtocolError

from .scripted import DECLINES, GOOD, NOW, Picky, lamps, run, shop

PAID = [("shop", "create_checkout"), ("psp", "delegate_payment"), ("shop", "complete_checkout")]


def test_purchase_picks_cheapest_shipping():
    state, script, sleeps, merchant = run(Picky())
    assert state["outcome"] == "purchased"
    assert script.calls == [("shop", "search"), *PAID]
    assert state["checkout"].fulfillment_option_id == "standard"
    assert state["checkout"].total() == 4000 + 500
    assert merchant.catalog.get("lamp1").stock == 4 and sleeps == []


def test_no_match_over_budget_and_declined_by_shopper():
    from agent_checkout.agent.state import Need

    assert run(Picky(need=Need("toys", "zeppelin")))[0]["outcome"] == "no_match"
    assert run(Picky(budget=1000))[0]["outcome"] == "over_budget"
    state, script, _, _ = run(Picky(pick=lambda recs: None))
    assert state["outcome"] == "declined_by_shopper"
    assert script.calls == [("shop", "search")]


def test_sold_out_at_checkout_goes_back_to_recommend_without_it():
    def sell_out_lamp1():  # someone else buys the last desk lamp between search and checkout
        catalog.get("lamp1").stock = 0

    catalog = lamps()
    state, script, _, _ = run(
        Picky(), catalog=catalog, faults={"create_checkout": [sell_out_lamp1]}
    )
    assert state["outcome"] == "purchased"
    assert state["excluded"] == ["shop:lamp1"]
    assert state["checkout"].line_items[0].item.id == "lamp2"
    assert script.calls == [("shop", "search"), ("shop", "create_checkout"), *PAID]


def test_race_lost_at_complete_then_nothing_left_is_out_of_stock():
    catalog = lamps(stock=(1, 0))

    def someone_else_wins():
        catalog.take({"lamp1": 1})

    state, script, _, merchant = run(
        Picky(), catalog=catalog, faults={"complete_checkout": [someone_else_wins]}
    )
    assert state["outcome"] == "out_of_stock"
    assert state["excluded"] == ["shop:lamp1"]
    assert script.calls == [("shop", "search"), *PAID]
    assert merchant.catalog.oversold_units() == 0


def test_declined_card_then_second_card():
    cards = (PaymentMethodCard(number=DECLINES), PaymentMethodCard(number=GOOD))
    state, script, _, _ = run(Picky(cards=cards))
    assert state["outcome"] == "purchased" and state["card_index"] == 1
    assert script.calls == [("shop", "search"), *PAID, *PAID[1:]]


def test_declined_only_card_is_payment_failed():
    state, script, _, merchant = run(Picky(cards=(PaymentMethodCard(number=DECLINES),)))
    assert state["outcome"] == "payment_failed"
    assert script.calls == [("shop", "search"), *PAID]
    assert merchant.catalog.get("lamp1").stock == 5


def test_rate_limited_complete_backs_off_honouring_retry_after():
    throttled = ProtocolError(
        429, "rate_limit_exceeded", "too_many_requests", "slow down", retry_after=2.0
    )
    state, script, sleeps, _ = run(Picky(), faults={"complete_checkout": [throttled]})
    assert state["outcome"] == "purchased"
    assert sleeps == [2.0]  # Retry-After beats the 0.5 s first back-off
    assert script.calls == [("shop", "search"), *PAID, *PAID[1:]]


def test_persistent_5xx_is_bounded_then_merchant_unavailable():
    down = [ProtocolError(503, "service_unavailable", "unavailable", "down") for _ in range(10)]
    state, script, sleeps, _ = run(Picky(), faults={"create_checkout": down})
    assert state["outcome"] == "merchant_unavailable"
    assert sleeps == [0.5, 1.0, 2.0, 4.0]
    assert script.calls == [("shop", "search")] + [("shop", "create_checkout")] * 5


def test_search_retried_after_429():
    throttled = ProtocolError(
        429, "rate_limit_exceeded", "too_many_requests", "slow down", retry_after=1.0
    )
    state, script, sleeps, _ = run(Picky(), faults={"search": [throttled]})
    assert state["outcome"] == "purchased" and sleeps == [1.0]
    assert script.calls == [("shop", "search"), ("shop", "search"), *PAID]


def test_expired_session_restarts_once():
    expired = [
        ProtocolError(409, "invalid_request", "session_expired", "expired") for _ in range(2)
    ]
    state, script, _, _ = run(Picky(), faults={"complete_checkout": expired[:1]})
    assert state["outcome"] == "purchased" and state["restarts"] == 1
    assert script.calls == [("shop", "search"), *PAID, *PAID]
    state, script, _, _ = run(Picky(), faults={"complete_checkout": expired})
    assert state["outcome"] == "checkout_failed"
    assert script.calls == [("shop", "search"), *PAID, *PAID]


def test_unreachable_merchant():
    from agent_checkout.agent.connectors import MerchantUnavailable

    state, _, _, _ = run(Picky(), faults={"search": [MerchantUnavailable("connect timeout")]})
    assert state["outcome"] == "merchant_unavailable"


THREE_DS = "4000002500003155"


def test_three_ds_challenge_passed_completes_with_the_same_token():
    state, script, sleeps, _ = run(Picky(cards=(PaymentMethodCard(number=THREE_DS),)))
    assert state["outcome"] == "purchased" and state["authenticated"] is True
    assert script.calls == [
        ("shop", "search"),
        *PAID,
        ("shop", "authenticate_checkout"),
        ("shop", "complete_checkout"),
    ]
    assert sleeps == [30.0]  # the shopper's time on the challenge


def test_three_ds_challenge_failed_tries_the_next_card():
    cards = (PaymentMethodCard(number=THREE_DS), PaymentMethodCard(number=GOOD))
    state, script, _, _ = run(Picky(cards=cards, challenge=False))
    assert state["outcome"] == "purchased" and state["card_index"] == 1
    assert script.calls == [
        ("shop", "search"),
        *PAID,
        ("shop", "authenticate_checkout"),
        ("shop", "complete_checkout"),
        *PAID[1:],
    ]
    alone, _, _, merchant = run(Picky(cards=cards[:1], challenge=False))
    assert alone["outcome"] == "payment_failed"
    assert "authentication_failed" in alone["detail"]
    assert merchant.catalog.sold == {}


def test_price_changed_before_checkout_is_decided_again():
    merchant = shop()
    state, script, _, _ = run(
        Picky(),
        merchant=merchant,
        faults={"create_checkout": [lambda: merchant.set_price("lamp1", 4500, NOW)]},
    )
    assert state["outcome"] == "purchased" and state["price_changes"] == 1
    assert state["choice"].offer.price == 4500
    assert state["checkout"].total() == 4500 + 500
    assert script.calls == [("shop", "search"), *PAID]


def test_price_changed_before_complete_pays_the_new_total():
    merchant = shop()
    state, script, _, _ = run(
        Picky(),
        merchant=merchant,
        faults={"complete_checkout": [lambda: merchant.set_price("lamp1", 4600, NOW)]},
    )
    # The first token's allowance was 45.00: declined over_allowance; re-decided at 46.00.
    assert state["outcome"] == "purchased" and state["price_changes"] == 1
    assert state["checkout"].total() == 4600 + 500
    assert script.calls == [("shop", "search"), *PAID, *PAID[1:]]


def test_price_rise_beyond_budget_is_over_budget():
    merchant = shop()
    state, script, _, _ = run(
        Picky(budget=4_200),
        merchant=merchant,
        faults={"create_checkout": [lambda: merchant.set_price("lamp1", 4_300, NOW)]},
    )
    assert state["outcome"] == "over_budget" and state["detail"] == "price changed to 4300"
    assert script.calls == [("shop", "search"), ("shop", "create_checkout")]
