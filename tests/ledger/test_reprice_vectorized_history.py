"""The vectorized path prices what depends on other rows exactly as the per-order loop does:
running-volume tiers (windowed or not, with ties in time and orders recorded out of time
order), click-attributed components (the latest click of the order's session at or before it,
inside the window or just outside), and runs with traffic channels."""

from __future__ import annotations

import random
from datetime import timedelta

import duckdb
import pytest

from agent_checkout.commands.reprice import CHANNEL_FEES
from agent_checkout.fees import load_fee_model, refund_lines
from agent_checkout.fees.context import Click, FeeContext
from agent_checkout.fees.library import builtin_names
from agent_checkout.fees.model import FeeModel
from agent_checkout.fees.pricer import FeePricer
from agent_checkout.ledger import Ledger, RepriceError, reprice_variants
from agent_checkout.ledger.reader import open_read_only
from agent_checkout.ledger.recorded import recorded_orders
from agent_checkout.ledger.reprice import _click_times
from agent_checkout.ledger.vectorized import line_amounts
from agent_checkout.sim.channels import FEE_MODELS as CHANNEL_MODELS
from tests.fees.conftest import AT, build_order

#: Volume tiers with a two-day window (thresholds a few orders cross and leave), without a
#: window (buyer-paid, etsy only), and an attributed component with a short window, bands,
#: per-unit part, minimum and cap, each with a different refund rule.
HISTORY = FeeModel.model_validate(
    {
        "name": "history",
        "title": "volume tiers and attribution",
        "source": "test",
        "currency": "usd",
        "components": [
            {
                "name": "two_day_volume",
                "payee": "ai_platform",
                "base": "items_shipping",
                "tiers": {
                    "by": "running_volume",
                    "window_days": 2,
                    "bands": [
                        {"at_least": 0, "rate_bps": 1000},
                        {"at_least": 100_000, "rate_bps": 500},
                        {"at_least": 300_000, "rate_bps": 250},
                    ],
                },
                "fixed": 30,
                "minimum": 100,
                "on_refund": "refund_percentage_keep_fixed",
            },
            {
                "name": "lifetime_volume",
                "payee": "payment_processor",
                "payer": "buyer",
                "base": "total",
                "tiers": {
                    "by": "running_volume",
                    "bands": [
                        {"at_least": 0, "rate_bps": 350},
                        {"at_least": 500_000, "rate_bps": 150},
                    ],
                },
                "platforms": ["etsy"],
                "on_refund": "keep",
            },
            {
                "name": "attributed",
                "payee": "affiliate_network",
                "trigger": "purchase_attributed",
                "attribution_days": 2,
                "tiers": {
                    "mode": "marginal",
                    "bands": [
                        {"at_least": 0, "rate_bps": 800},
                        {"at_least": 20_000, "rate_bps": 300},
                    ],
                },
                "per_unit": 5,
                "minimum": 50,
                "maximum": 2_500,
                "on_refund": "refund",
            },
        ],
    }
)

CHANNEL_NAMES = ("ai_in_chat", "ai_link_out", "direct", "affiliate")
CATEGORIES = ("apparel", "jewelry", "kitchen", "toys", "home_decor")


def _run_models(platform: str) -> list[FeeModel]:
    """What the run priced with: the merchant platform's own models, Etsy's with its ads."""
    own = ["shopify-basic"] if platform == "shopify" else ["etsy-standard", "etsy-offsite-ads"]
    return [load_fee_model(name) for name in ["openai-instant-checkout", *own]]


def _history(count: int = 160) -> list[tuple]:
    """Orders of four merchants over ~500 days (half-hour steps, then day-long gaps), some at
    one instant, some exactly two days apart; each with its session's clicks."""
    rng = random.Random(5)
    at, rows = AT, []
    for n in range(count):
        if rng.random() < 0.2:
            at += timedelta(days=rng.choice((2, 2, 3, 40)))  # two days: the window's edge
        elif rng.random() < 0.8:
            at += timedelta(minutes=30)  # else the same instant as the order before
        merchant = rng.randrange(4)
        lines = [
            (rng.choice(CATEGORIES), rng.choice((1, 1, 2)), rng.randrange(1, 1200) * 50)
            for _ in range(rng.choice((1, 1, 2, 3)))
        ]
        items = sum(q * p for _, q, p in lines)
        order = build_order(
            lines,
            shipping=rng.choice((0, 499)),
            tax=rng.choice((0, items * 8 // 100)),
            discount=rng.choice((0, 0, items // 10)),
            platform="shopify" if merchant % 2 == 0 else "etsy",
            merchant=f"m{merchant}",
            order_id=f"o{n:04d}",
            at=at,
        )
        # clicks in its session: none, at the order, days before, just outside two days,
        # after it (never counts), or two (the latest before the order counts)
        offsets = rng.choice(
            (
                [],
                [0],
                [1],
                [2 * 24 * 60],
                [2 * 24 * 60 + 1],
                [-5],
                [3 * 24 * 60, 10],
                [30 * 24 * 60],
            )
        )
        clicks = [at - timedelta(minutes=m) for m in offsets]
        rows.append((order, clicks, CHANNEL_NAMES[n % len(CHANNEL_NAMES)]))
    return rows


def _write(path, rows, *, channels: bool) -> None:
    rng = random.Random(9)
    with Ledger(path) as ledger:
        ledger.start_run(scenario="history", seed=1, currency="usd", fee_models=["x"])
        for order, clicks, channel in rng.sample(rows, len(rows)):  # recorded out of time order
            session = f"s-{order.id}"
            for clicked_at in clicks:
                click = Click(order.merchant_id, order.platform, "usd", "apparel", clicked_at)
                ledger.record_click(click, [], session_id=session)
            models = _run_models(order.platform)
            lines = FeePricer(models, FeeContext()).price(order)
            ledger.record(order, lines, session, channel if channels else None)
            if rng.random() < 0.25:  # refunded in one or two parts
                first = rng.randrange(1, order.total_amount + 1)
                for amount in (first, order.total_amount - first)[: rng.choice((1, 2))]:
                    if amount:
                        before = ledger.refunded(order.id)
                        back = refund_lines(order, lines, amount, models, refunded_before=before)
                        ledger.record_refund(order, amount, back, order.placed_at, "return")


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("history")
    rows = _history()
    _write(folder / "plain.duckdb", rows, channels=False)
    _write(folder / "channels.duckdb", rows, channels=True)
    return {"plain": folder / "plain.duckdb", "channels": folder / "channels.duckdb"}


def _loop_lines(path, model: FeeModel) -> dict[tuple[str, str], int]:
    """The per-order pricer's lines, order by order with one running volume, as reprice does."""
    con = open_read_only(path)
    try:
        clicked, context, lines = _click_times(con), FeeContext(), {}
        for order, _ in recorded_orders(con):
            found = model.fee_lines(order, context)
            if order.id in clicked:
                found += model.fee_lines(order, context, "purchase_attributed", clicked[order.id])
            lines.update({(order.id, line.component): line.amount for line in found})
            context.record(order)
        return lines
    finally:
        con.close()


@pytest.mark.parametrize("name", ["history", "etsy-offsite-ads", "amazon-associates"])
def test_volume_and_attributed_lines_equal_the_per_order_pricer(ledgers, name):
    model = HISTORY if name == "history" else load_fee_model(name)
    expected = _loop_lines(ledgers["plain"], model)
    con = open_read_only(ledgers["plain"])
    try:
        assert line_amounts(con, model) == expected
    finally:
        con.close()
    # every shape happened: each band of each volume tier, attributed and not
    components = {component for _, component in expected}
    assert components == {c.name for c in model.components}
    if name == "history":
        con = open_read_only(ledgers["plain"])
        try:
            attributed = sum(1 for _, c in expected if c == "attributed")
            clicked = len(_click_times(con))
        finally:
            con.close()
        assert 0 < attributed < clicked  # clicks too old or after the order do not count


def test_a_volume_band_moves_with_the_window(ledgers):
    """The two-day tier reaches every band and falls back as sales leave the window."""
    con = open_read_only(ledgers["plain"])
    try:
        rates = set()
        context = FeeContext()
        for order, _ in recorded_orders(con):
            volume = context.volume(order.merchant_id, order.placed_at, 2)
            rates.add(0 if volume < 100_000 else 1 if volume < 300_000 else 2)
            context.record(order)
    finally:
        con.close()
    assert rates == {0, 1, 2}


@pytest.mark.parametrize("replace_all", [False, True])
@pytest.mark.parametrize("ledger", ["plain", "channels"])
def test_reprice_totals_are_identical_for_every_builtin_model(ledgers, ledger, replace_all):
    variants = {name: [load_fee_model(name)] for name in builtin_names()}
    variants["history"] = [HISTORY]
    variants["history+ads"] = [HISTORY, load_fee_model("amazon-associates")]
    kwargs = {"replace_all": replace_all}
    if ledger == "channels":
        kwargs |= {"channel_fees": CHANNEL_FEES, "channel_models": CHANNEL_MODELS}
    per_order, _ = reprice_variants(ledgers[ledger], variants, engine="per-order", **kwargs)
    vectorized, _ = reprice_variants(ledgers[ledger], variants, engine="vectorized", **kwargs)
    assert vectorized == per_order
    # equal as printed too: the same (model, payee) keys, zero totals included
    assert {k: sorted(r.fees) for k, r in vectorized.items()} == {
        k: sorted(r.fees) for k, r in per_order.items()
    }
    history = vectorized["history"]
    assert history.refunds > 0 and history.clicks > 0
    assert history.fees[("history", "affiliate_network")] > 0
    if ledger == "channels" and not replace_all:  # the affiliate channel pays its commission
        assert vectorized["flat-per-order"].fees[("affiliate-network", "affiliate_network")] > 0


def test_channel_runs_take_the_vectorized_path_under_auto(ledgers):
    variants = {"history": [HISTORY]}
    kwargs = {"channel_fees": CHANNEL_FEES, "channel_models": CHANNEL_MODELS}
    auto, _ = reprice_variants(ledgers["channels"], variants, **kwargs)
    assert auto == reprice_variants(ledgers["channels"], variants, engine="vectorized", **kwargs)[0]
    # in-chat orders pay no attributed fee, link-out orders no order fee: less than the plain run
    plain, _ = reprice_variants(ledgers["plain"], variants)
    assert auto["history"].fees_by_model["history"] < plain["history"].fees_by_model["history"]


def test_vectorized_refuses_a_model_priced_in_another_currency(ledgers):
    euros = HISTORY.model_copy(update={"name": "euros", "currency": "eur"})
    with pytest.raises(RepriceError, match="engine vectorized: fee model euros does not price usd"):
        reprice_variants(ledgers["plain"], {"e": [euros]}, engine="vectorized")


def test_the_volume_window_edge_and_ties_in_time(tmp_path):
    """Sales exactly ``window_days`` before an order have left its window, a microsecond
    later they count; an order at the same instant counts only if recorded earlier."""
    edge = AT + timedelta(days=2)
    orders = {  # recorded in this order: C, A, D, B
        "C": build_order([("toys", 1, 100_000)], platform="etsy", order_id="C", at=edge),
        "A": build_order([("toys", 1, 150_000)], platform="etsy", order_id="A", at=AT),
        "D": build_order([("toys", 1, 100_000)], platform="etsy", order_id="D", at=edge),
        "B": build_order(
            [("toys", 1, 10_000)],
            platform="etsy",
            order_id="B",
            at=edge - timedelta(microseconds=1),
        ),
    }
    path = tmp_path / "edge.duckdb"
    with Ledger(path) as ledger:
        ledger.start_run(scenario="edge", seed=1, currency="usd", fee_models=["history"])
        for order in orders.values():
            ledger.record(order, [])
    con = open_read_only(path)
    try:
        lines = {
            order: amount
            for (order, component), amount in line_amounts(con, HISTORY).items()
            if component == "two_day_volume"
        }
    finally:
        con.close()
    # A: nothing before, 10%; B: A's 1,500.00 in the window, 5%; C: A has left, B's 100.00,
    # 10%; D: B and C (recorded before it at the same instant), 1,100.00, 5%; each + 30
    assert lines == {"A": 15_030, "B": 530, "C": 10_030, "D": 5_030}
    loop = _loop_lines(path, HISTORY)
    assert {o: v for (o, k), v in loop.items() if k == "two_day_volume"} == lines


def test_a_ledger_written_before_fee_lines_named_their_merchant(ledgers, tmp_path):
    """Old fee lines carry no merchant_id: re-pricing finds it through their order, whether
    the file never had the column or a newer writer appended to it."""
    variants = {"flat": [load_fee_model("flat-per-order")], "history": [HISTORY]}
    today, _ = reprice_variants(ledgers["plain"], variants)
    old = tmp_path / "old.duckdb"
    old.write_bytes(ledgers["plain"].read_bytes())
    con = duckdb.connect(str(old))
    con.execute("ALTER TABLE fee_lines DROP COLUMN merchant_id")
    con.close()
    for engine in ("vectorized", "per-order"):
        assert reprice_variants(old, variants, engine=engine)[0] == today
    with Ledger(old) as ledger:  # the writer adds the column: NULL on the old rows
        order = build_order(
            [("toys", 1, 2_000)], platform="etsy", merchant="m9", order_id="late", at=AT
        )
        ledger.record(order, FeePricer(_run_models("etsy"), FeeContext()).price(order))
    con = open_read_only(old)
    try:
        named = con.execute("SELECT COUNT(merchant_id), COUNT(*) FROM fee_lines").fetchone()
    finally:
        con.close()
    assert named[0] == 4 < named[1]  # the new order's lines: openai's and etsy-standard's three
    vectorized, _ = reprice_variants(old, variants, engine="vectorized")
    assert vectorized == reprice_variants(old, variants, engine="per-order")[0]
    assert vectorized["flat"].orders == today["flat"].orders + 1
