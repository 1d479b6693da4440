"""A mixed run's summary read as one summary in its reporting currency, for the figures that
replications and comparisons put 95% intervals on.

Intervals need one number per replication, and a mixed run has one per currency. The view takes
the run's ``converted`` totals (each currency's total converted once, then summed:
:data:`agent_checkout.sim.currency_summary.ROUNDING`) and converts the few amounts those lack
(third-party sales, shopper surplus, companies' nets, discounts) by the same rule; counts are
the run's own, and rates are recomputed from the converted amounts. Every figure read off a
view is therefore labelled as converted where it is shown. A one-currency summary is its own
view.
"""

from __future__ import annotations

from collections.abc import Mapping

from agent_checkout.fees.fx import FxTable
from agent_checkout.market.companies import take_rate
from agent_checkout.sim.welfare import WelfareTally


def _total(fx: FxTable, amounts: Mapping[str, int], currency: str) -> int:
    """Each currency's amount converted once, then summed."""
    return sum(fx.convert(amount, code, currency) for code, amount in sorted(amounts.items()))


def _keyed(fx: FxTable, blocks: Mapping[str, Mapping[str, int]], currency: str) -> dict:
    """Mappings by currency (e.g. fees by payee) as one mapping, each key converted."""
    keys = sorted({k for block in blocks.values() for k in block})
    return {k: _total(fx, {c: b.get(k, 0) for c, b in blocks.items()}, currency) for k in keys}


def converted_view(summary: dict, fx: FxTable) -> dict:
    """``summary`` with a one-currency summary's money keys, in the reporting currency."""
    blocks = summary.get("currencies")
    if not blocks:
        return summary
    converted = summary["converted"]
    cur = converted["currency"]
    money = {k: v for k, v in converted.items() if isinstance(v, int)}
    gmv, orders = money["gmv"], summary["orders"]
    third_party = _keyed(fx, {c: b["ai_platform_third_party"] for c, b in blocks.items()}, cur)
    welfare = WelfareTally.pooled(list(blocks.values()))
    welfare.surplus_total = _total(
        fx, {c: b["welfare"]["surplus_total"] for c, b in blocks.items()}, cur
    )
    companies = {}
    for name in sorted({n for b in blocks.values() for n in b.get("companies", {})}):
        rows = {c: b["companies"][name] for c, b in blocks.items() if name in b["companies"]}
        head = next(iter(rows.values()))
        companies[name] = {
            "named": head["named"],
            "net": _total(fx, {c: row["net"] for c, row in rows.items()}, cur),
        }
    found = {c: b["discounts"]["by_funder"] for c, b in blocks.items() if "discounts" in b}
    discounts = {"discounts": {"by_funder": _keyed(fx, found, cur)}} if found else {}
    return {
        **summary,
        **money,
        "currency": cur,
        "fees": converted["fees"],
        "aov": gmv // orders if orders else 0,
        "take_rate": round(money["fees_total"] / gmv, 6) if gmv else 0.0,
        "ai_platform_third_party": third_party,
        "ai_platform_take_rate": take_rate(third_party),
        "welfare": welfare.summary(),
        "companies": companies,
        **discounts,
    }
