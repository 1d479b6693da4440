"""The summary of a run in several currencies: every money figure per currency, and one
converted total, labelled with the FX table it went through.

No figure adds amounts of two currencies. The run-wide keys of a one-currency summary that are
counts (sessions, funnel, outcomes, latency) stay where they are; every money key moves under
``currencies.<code>``, computed from that currency's sessions alone (the same keys, the same
meaning, see :mod:`agent_checkout.sim.metrics`). ``converted`` then restates the headline totals
in the reporting currency: each currency's total converted once, at the table's exact rate,
rounded half-even to the reporting currency's minor unit, and those summed
(:data:`ROUNDING`). A run in one currency keeps its summary exactly as it was.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from agent_checkout.fees.fx import FxTable
from agent_checkout.sim.metrics import RunMetrics

#: Summary keys holding money (or figures made of it): per currency in a mixed run.
MONEY_KEYS = (
    "gmv",
    "refunded",
    "buyer_paid",
    "aov",
    "tax",
    "merchant_net",
    "fees",
    "fees_by_model",
    "fees_total",
    "take_rate",
    "ai_platform_take_rate",
    "ai_platform_third_party",
    "gmv_by_merchant",
    "click_fees",
    "inference_cost",
    "inference_fx",
    "ai_platform_net",
    "companies",
    "welfare",
    "channels",
    "discounts",
    "presales",
    "protocols",
)
#: Counts each currency's block repeats for its own sessions, so its rates can be read alone.
COUNT_KEYS = (
    "sessions",
    "orders",
    "conversion_rate",
    "checkout_abandonment",
    "funnel",
    "outcomes",
    "refunds",
    "clicks",
    "agent_steps",
)
#: Totals ``converted`` restates in the reporting currency.
CONVERTED_KEYS = (
    "gmv",
    "refunded",
    "buyer_paid",
    "tax",
    "merchant_net",
    "fees_total",
    "click_fees",
    "inference_cost",
    "ai_platform_net",
)
ROUNDING = (
    "each currency's total converted once at the table's exact rate, rounded half-even to the "
    "reporting currency's minor unit, then summed"
)


def conversion_label(fx: FxTable, currency: str) -> str:
    """``converted to USD at ECB euro foreign exchange reference rates, 2025-10-21``."""
    dated = fx.source if fx.as_of is None or fx.as_of in fx.source else f"{fx.source}, {fx.as_of}"
    return f"converted to {currency.upper()} at {dated}"


def converted_totals(per_currency: Mapping[str, dict], currency: str, fx: FxTable) -> dict:
    """The headline totals of ``per_currency`` (currency -> its summary block) in ``currency``."""

    def total(amounts: Mapping[str, int]) -> int:
        return sum(fx.convert(amount, code, currency) for code, amount in sorted(amounts.items()))

    payees = sorted({payee for block in per_currency.values() for payee in block["fees"]})
    return {
        "label": conversion_label(fx, currency),
        "currency": currency,
        "as_of": fx.as_of,
        "source": fx.source,
        "rates": {code: fx.describe(code, currency)["rate"] for code in sorted(per_currency)},
        "rounding": ROUNDING,
        **{
            key: total({code: block[key] for code, block in per_currency.items()})
            for key in CONVERTED_KEYS
        },
        "fees": {
            payee: total({c: b["fees"].get(payee, 0) for c, b in per_currency.items()})
            for payee in payees
        },
    }


def mixed_summary(
    metrics: RunMetrics,
    by_currency: Mapping[str, RunMetrics],
    *,
    scenario: str,
    seed: int,
    currency: str,
    oversells: int,
    fx: FxTable,
    companies: Mapping[str, Collection[str]] | None = None,
) -> dict:
    """The summary of a run whose sessions shopped in several currencies (``by_currency``
    holds each currency's share of ``metrics``); ``currency`` is the reporting currency."""
    summary = metrics.summary(
        scenario=scenario, seed=seed, currency=currency, oversells=oversells, fx=fx
    )
    for key in MONEY_KEYS:
        summary.pop(key, None)
    per_currency = {}
    for code, part in sorted(by_currency.items()):
        own = part.summary(
            scenario=scenario, seed=seed, currency=code, oversells=0, fx=fx, companies=companies
        )
        per_currency[code] = {k: own[k] for k in COUNT_KEYS + MONEY_KEYS if k in own}
    summary["currencies"] = per_currency
    summary["converted"] = converted_totals(per_currency, currency, fx)
    return summary


def currency_views(summary: dict) -> list[dict]:
    """A mixed run's summary as one one-currency summary per currency (its money block over
    the run-wide figures), for reports written for one currency; a one-currency summary is
    its own only view."""
    blocks = summary.get("currencies")
    if not blocks:
        return [summary]
    name = summary["scenario"]
    return [
        {**summary, **block, "currency": code, "scenario": f"{name} · {code.upper()}"}
        for code, block in blocks.items()
    ]
