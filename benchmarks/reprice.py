"""Re-pricing speed and memory: a synthetic ledger of N orders re-priced under two fee models.

The ledger is generated without the simulation, as rows bulk-loaded through the Ledger's CSV
COPY path: orders of 1-3 lines across Shopify and Etsy merchants, priced as the run would have
been (openai-instant-checkout plus shopify-basic or etsy-standard), with 2% partly refunded.
It holds what re-pricing reads (runs, orders, order lines, fee lines, refunds), not postings.
It is written in a child process, so the peak memory printed is the re-pricing's own. The
same ledger is re-priced order by order once, then vectorized (SQL over whole tables)
``--rounds`` times (the median rate counts: other processes may share the CPU), and the ratio
of their rates is printed with the totals asserted identical.

    python benchmarks/reprice.py [--orders N] [--models a,b] [--batch-size B] [--rounds R]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

from agent_checkout.fees import load_fee_model, price_order
from agent_checkout.ledger import Ledger, reprice_variants
from agent_checkout.ledger.store import NULL, utc_text
from merchants.money import format_money
from merchants.orders import OrderLine, PlacedOrder

START = datetime(2026, 1, 1, tzinfo=UTC)
CATEGORIES = ("apparel", "kitchen", "jewelry", "electronics", "toys", "home_decor")
MERCHANTS = 200


def _orders(count: int, seed: int) -> Iterator[tuple[PlacedOrder, list[int]]]:
    """Orders in time order, each with its refunds (2% are refunded, in one or two parts)."""
    rng = random.Random(seed)
    seconds = 365 * 24 * 3600 / count
    for n in range(count):
        merchant = rng.randrange(MERCHANTS)
        lines = []
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            quantity, price = rng.choice((1, 1, 1, 2, 3)), rng.randrange(500, 20_000)
            tax = quantity * price * 8 // 100
            lines.append(("p", "", rng.choice(CATEGORIES), quantity, price, quantity * price, tax))
        items = sum(line[5] for line in lines)
        shipping, tax = rng.choice((0, 499, 999)), sum(line[6] for line in lines)
        discount = rng.choice((0, 0, 0, items // 10))
        order = PlacedOrder(
            id=f"o{n:08d}",
            checkout_session_id=f"cs{n:08d}",
            merchant_id=f"m{merchant:03d}",
            platform="shopify" if merchant % 2 == 0 else "etsy",
            currency="usd",
            lines=tuple(OrderLine(*line) for line in lines),
            items_amount=items,
            discount_amount=discount,
            shipping_amount=shipping,
            tax_amount=tax,
            total_amount=items - discount + shipping + tax,
            placed_at=START + timedelta(seconds=n * seconds),
        )
        refunds = []
        if rng.random() < 0.02:
            first = rng.randrange(1, order.total_amount + 1)
            rest = order.total_amount - first
            refunds = [first, rest] if rest else [first]
        yield order, refunds


def write_ledger(path: Path, count: int, seed: int = 7) -> None:
    """Generate ``count`` orders and bulk-load them, 100,000 at a time, table by table."""
    ai = load_fee_model("openai-instant-checkout")
    merchant_models = {
        "shopify": [ai, load_fee_model("shopify-basic")],
        "etsy": [ai, load_fee_model("etsy-standard")],
    }
    with Ledger(path) as ledger:
        ledger.start_run(
            scenario="synthetic",
            seed=seed,
            currency="usd",
            fee_models=sorted({m.name for ms in merchant_models.values() for m in ms}),
        )
        orders = _orders(count, seed)
        while chunk := list(islice(orders, 100_000)):
            ledger.bulk_load(
                "orders",
                [
                    (
                        o.id,
                        "",
                        o.checkout_session_id,
                        o.merchant_id,
                        o.platform,
                        o.currency,
                        o.items_amount,
                        o.discount_amount,
                        o.shipping_amount,
                        o.tax_amount,
                        o.total_amount,
                        o.total_amount,
                        o.units,
                        utc_text(o.placed_at),
                        NULL,  # channel: no traffic channels here
                    )
                    for o, _ in chunk
                ],
            )
            ledger.bulk_load(
                "order_lines",
                [
                    (
                        o.id,
                        n,
                        line.product_id,
                        line.title,
                        line.category,
                        line.quantity,
                        line.unit_price,
                        line.subtotal,
                        line.tax,
                    )
                    for o, _ in chunk
                    for n, line in enumerate(o.lines, 1)
                ],
            )
            ledger.bulk_load(
                "fee_lines",
                [  # the run's own fee lines
                    (
                        o.id,
                        n,
                        f.model,
                        f.component,
                        f.payer,
                        f.payee,
                        f.base,
                        f.base_amount,
                        f.rate_bps,
                        f.fixed,
                        f.per_unit,
                        f.units,
                        f.amount,
                        f.currency,
                        o.merchant_id,
                    )
                    for o, _ in chunk
                    for n, f in enumerate(price_order(o, merchant_models[o.platform]), 1)
                ],
            )
            ledger.bulk_load(
                "refunds",
                [
                    (
                        f"{o.id}-r{k}",
                        o.id,
                        k,
                        amount,
                        0,
                        0,
                        amount,
                        "usd",
                        utc_text(o.placed_at),
                        "",
                    )
                    for o, refunds in chunk
                    for k, amount in enumerate(refunds, 1)
                ],
            )


def _peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--models", default="openai-instant-checkout,flat-per-order")
    parser.add_argument("--batch-size", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, help="Write the ledger here and keep it.")
    parser.add_argument(
        "--rounds", type=int, default=3, help="Vectorized re-pricings (the median is the rate)."
    )
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory() if args.keep is None else None
    path = args.keep or Path(folder.name) / "ledger.duckdb"
    path.unlink(missing_ok=True)

    started = time.perf_counter()
    child = multiprocessing.get_context("spawn").Process(
        target=write_ledger, args=(path, args.orders)
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"writing the ledger failed (exit {child.exitcode})")
    written = time.perf_counter() - started
    size = path.stat().st_size / 2**20
    print(f"wrote {args.orders:,} orders in {written:.1f} s ({size:.0f} MiB) to {path}")

    variants = {name: [load_fee_model(name)] for name in args.models.split(",")}
    rss_before = _peak_rss_mib()
    rates: dict[str, list[float]] = {}
    results = {}
    for engine, rounds in (("per-order", 1), ("vectorized", args.rounds)):
        for _ in range(rounds):
            started = time.perf_counter()
            results[engine], _ = reprice_variants(
                path, variants, batch_size=args.batch_size, engine=engine
            )
            seconds = time.perf_counter() - started
            rates.setdefault(engine, []).append(args.orders / seconds)
            print(
                f"{engine}: re-priced {args.orders:,} orders under {len(variants)} models in one "
                f"pass: {seconds:.2f} s, {args.orders / seconds:,.0f} orders/s "
                f"({args.orders * len(variants) / seconds:,.0f} order-pricings/s)"
            )
    if results["vectorized"] != results["per-order"]:
        raise SystemExit("the vectorized totals differ from the per-order totals")
    vectorized = statistics.median(rates["vectorized"])
    print(
        f"vectorized, median of {args.rounds}: {vectorized:,.0f} orders/s; vectorized / "
        f"per-order: {vectorized / rates['per-order'][0]:.1f}x, identical totals (asserted)"
    )
    peak = _peak_rss_mib()
    print(f"peak memory (RSS, DuckDB included): {peak:.0f} MiB (before: {rss_before:.0f} MiB)")
    for name, result in results["vectorized"].items():
        revenue, net = result.ai_platform_revenue, result.merchant_net
        print(
            f"  {name}: AI platform {format_money(revenue, 'usd')}, take rate "
            f"{result.take_rate:.2%}, merchant net {format_money(net, 'usd')}"
        )
    if folder is not None:
        folder.cleanup()


if __name__ == "__main__":
    main()
