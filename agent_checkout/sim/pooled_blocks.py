"""A summary's optional blocks over replications: discounts, presales, protocols, wrong stated
prices and cohorts, pooled as a single run's money is, and read as figures with 95% intervals.

Pooling sums every count and amount; a figure made of them is recomputed from the sums, never
averaged. A cohort's cumulative P&L is summed day by day (the same users join on the same days
in every replication: :func:`agent_checkout.sim.users.plan_visits` draws only who comes back),
and its payback day is read off the pooled series, as :mod:`agent_checkout.sim.cohorts` reads
it off one run's. A block absent from every replication stays absent; one absent from some
replications counts 0 there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from agent_checkout.sim.metrics import ProtocolFigures

#: Summed over replications, every key (a number in minor units or a count).
PRESALE_KEYS = (
    "started",
    "completed",
    "forfeited",
    "held",
    "deposits_paid",
    "final_payments",
    "deposits_held",
    "forfeited_amount",
)
#: Of a cohort row: summed over replications.
COHORT_SUMS = (
    "users",
    "sessions",
    "orders",
    "fees",
    "coupons",
    "red_packets",
    "acquisition",
    "inference",
    "net",
)


def summed(mappings: Sequence[Mapping[str, int]], order: Sequence[str] = ()) -> dict[str, int]:
    """Key-wise sums of integer mappings (a key missing from one counts 0): the keys of
    ``order`` first, in that order, as a single run's summary lists them, the rest sorted."""
    keys = {k for m in mappings for k in m}
    ordered = [k for k in order if k in keys] + sorted(keys - set(order))
    return {k: sum(m.get(k, 0) for m in mappings) for k in ordered}


def pooled_discounts(summaries: Sequence[dict]) -> dict:
    """``discounts`` summed over the replications that had any (absent when none had)."""
    found = [s["discounts"] for s in summaries if "discounts" in s]
    if not found:
        return {}
    by_funder = summed([d["by_funder"] for d in found])
    return {"discounts": {"by_funder": by_funder, "subsidies": sum(d["subsidies"] for d in found)}}


def pooled_presales(summaries: Sequence[dict]) -> dict:
    """``presales`` summed over the replications that had any deposit paid."""
    found = [s["presales"] for s in summaries if "presales" in s]
    if not found:
        return {}
    return {"presales": {k: sum(p[k] for p in found) for k in PRESALE_KEYS}}


def pooled_protocols(summaries: Sequence[dict]) -> dict:
    """``protocols``: each protocol's orders and money summed over the replications, its AOV
    and take rate worked out again from the sums (absent when no replication compared)."""
    found = [s["protocols"] for s in summaries if "protocols" in s]
    if not found:
        return {}
    pooled = {}
    for name in sorted({name for block in found for name in block}):
        rows = [block[name] for block in found if name in block]
        figures = ProtocolFigures(  # the sums, read as a single run's are
            merchants={m for r in rows for m in r["merchants"]},
            orders=sum(r["orders"] for r in rows),
            gmv=sum(r["gmv"] for r in rows),
            tax=sum(r["tax"] for r in rows),
            fees_by_payee=Counter(summed([r["fees"] for r in rows])),
        )
        pooled[name] = figures.summary()
    return {"protocols": pooled}


def pooled_wrong_price(summaries: Sequence[dict]) -> dict:
    """``wrong_price`` with every count and GMV summed; ``rate`` is the scenario's knob, the
    same in every replication."""
    found = [s["wrong_price"] for s in summaries if "wrong_price" in s]
    if not found:
        return {}
    sums = {k: sum(w.get(k, 0) for w in found) for k in found[0] if k != "rate"}
    return {"wrong_price": {"rate": found[0]["rate"], **sums}}


def pooled_cohort_row(rows: Sequence[dict]) -> dict:
    """One cohort (or ``all`` users) over replications: sums, the cumulative P&L summed day
    by day, and the payback day of that pooled series."""
    first = rows[0]["first_day"]
    if any(row["first_day"] != first for row in rows):
        raise ValueError(f"cohort {rows[0]['cohort']}: its first day differs by replication")
    cumulative = [sum(days) for days in zip(*(row["cumulative"] for row in rows), strict=True)]
    payback = next((i for i, value in enumerate(cumulative) if value >= 0), None)
    return {
        "cohort": rows[0]["cohort"],
        "first_day": first,
        **{k: sum(row[k] for row in rows) for k in COHORT_SUMS},
        "cumulative": cumulative,
        "payback_day": None if payback is None else first + payback,
        "payback_after_days": payback,
    }


def pooled_cohorts(summaries: Sequence[dict]) -> dict:
    """``cohorts`` over replications: each cohort's row and ``all`` pooled by
    :func:`pooled_cohort_row`."""
    found = [s["cohorts"] for s in summaries if "cohorts" in s]
    if not found:
        return {}
    head = found[0]
    ids = sorted({row["cohort"] for c in found for row in c["rows"]})
    rows = [
        pooled_cohort_row([row for c in found for row in c["rows"] if row["cohort"] == cohort])
        for cohort in ids
    ]
    return {
        "cohorts": {
            "by": head["by"],
            "horizon_days": head["horizon_days"],
            "currency": head["currency"],
            "chat_turns": sum(c["chat_turns"] for c in found),
            "rows": rows,
            "all": pooled_cohort_row([c["all"] for c in found]),
        }
    }


def pooled_blocks(summaries: Sequence[dict]) -> dict:
    """Every optional block any replication has, pooled."""
    return (
        pooled_discounts(summaries)
        | pooled_presales(summaries)
        | pooled_protocols(summaries)
        | pooled_wrong_price(summaries)
        | pooled_cohorts(summaries)
    )


def _payback_day(summary: Mapping) -> float:
    cohorts = summary.get("cohorts")
    if not cohorts:
        return 0.0
    day = cohorts["all"]["payback_day"]
    return cohorts["horizon_days"] if day is None else day


#: Figures of the optional blocks, read per replication (a block a summary lacks reads 0).
BLOCK_FIGURES: dict[str, tuple[str, Callable[[Mapping], float]]] = {
    "wrong_price_gmv_lost": (
        "wrong_price",
        lambda s: s.get("wrong_price", {}).get("gmv_lost", 0),
    ),
    "cohorts_net": ("cohorts", lambda s: s["cohorts"]["all"]["net"] if "cohorts" in s else 0),
    # no payback within the horizon reads as the horizon (a censored day, said so where shown)
    "cohorts_payback_day": ("cohorts", _payback_day),
    "discounts_ai_platform": (
        "discounts",
        lambda s: s.get("discounts", {}).get("by_funder", {}).get("ai_platform", 0),
    ),
}


def block_figures(summaries: Sequence[Mapping]) -> dict[str, Callable[[Mapping], float]]:
    """Readers of :data:`BLOCK_FIGURES` whose block some summary holds."""
    return {
        name: read
        for name, (block, read) in BLOCK_FIGURES.items()
        if any(block in s for s in summaries)
    }
