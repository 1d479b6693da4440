"""Independent replications, in one process or several, and their means with 95% intervals.

Replication ``r`` of a run with root seed ``s`` uses seed ``seed_for(s, r)``, so replication r
of every variant (fee model, ranking, merchant setting) sees the same shoppers arriving at the
same times: common random numbers. Each replication is deterministic on its own, so running
them in parallel worker processes, or as Ray tasks, gives exactly the serial results
(:mod:`agent_checkout.sim.backends`).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from agent_checkout.agent.state import OUTCOMES
from agent_checkout.fees.fx import FxTable
from agent_checkout.market.companies import company_figures, take_rate
from agent_checkout.sim.backends import Replication, sweep_backend
from agent_checkout.sim.converted_view import converted_view
from agent_checkout.sim.currency_summary import COUNT_KEYS, MONEY_KEYS, converted_totals
from agent_checkout.sim.intervals import t95
from agent_checkout.sim.metrics import FUNNEL
from agent_checkout.sim.pooled_blocks import block_figures, pooled_blocks, summed
from agent_checkout.sim.scenario import Scenario
from agent_checkout.sim.streams import RandomStreams
from agent_checkout.sim.welfare import WELFARE_FIGURES, WelfareTally

#: Figures summarised across replications: a name and how to read it off a summary.
FIGURES: dict[str, Callable[[dict], float]] = {
    "sessions": lambda s: s["sessions"],
    "orders": lambda s: s["orders"],
    "conversion_rate": lambda s: s["conversion_rate"],
    "checkout_abandonment": lambda s: s["checkout_abandonment"],
    "gmv": lambda s: s["gmv"],
    "aov": lambda s: s["aov"],
    "buyer_spend": lambda s: s["gmv"],
    "merchant_net": lambda s: s["merchant_net"],
    "ai_platform_revenue": lambda s: s["fees"].get("ai_platform", 0),
    "fees_total": lambda s: s["fees_total"],
    "take_rate": lambda s: s["take_rate"],
    "ai_platform_take_rate": lambda s: s["ai_platform_take_rate"],
    "revenue_per_1000_sessions": lambda s: (
        1000 * s["fees"].get("ai_platform", 0) / s["sessions"] if s["sessions"] else 0.0
    ),
    "inference_cost": lambda s: s["inference_cost"],
    "ai_platform_net": lambda s: s["ai_platform_net"],
    "ai_platform_net_margin": lambda s: (
        s["ai_platform_net"] / s["fees"]["ai_platform"] if s["fees"].get("ai_platform") else 0.0
    ),
    "session_seconds_p95": lambda s: s["session_seconds"]["p95"],
    **WELFARE_FIGURES,
}


def replication_seed(root_seed: int, replication: int) -> int:
    """Replication 0 is the root seed itself, so one replication equals a plain run."""
    if replication == 0:
        return root_seed
    return RandomStreams(root_seed).seed_for("replication", replication) % 2**31


def interval(values: Sequence[float]) -> dict[str, float]:
    """Mean and the 95% confidence interval of the mean (Student t); a point with one value."""
    mean = statistics.fmean(values)
    half = (
        t95(len(values)) * statistics.stdev(values) / math.sqrt(len(values))
        if len(values) > 1
        else 0.0
    )
    return {"mean": round(mean, 6), "low": round(mean - half, 6), "high": round(mean + half, 6)}


def readers_of(summaries: Sequence[dict]) -> dict[str, Callable[[dict], float]]:
    """The figures to put intervals on: :data:`FIGURES`, each named company's net, and the
    figures of the optional blocks (wrong prices, cohorts, discounts) some summary holds."""
    return {**FIGURES, **company_figures(summaries[0]), **block_figures(summaries)}


def aggregate(
    summaries: Sequence[dict], readers: Mapping[str, Callable[[dict], float]] | None = None
) -> dict[str, dict[str, float]]:
    """Mean and 95% interval of every figure of ``readers`` (default: :func:`readers_of`)
    across replications (summaries of a mixed run read through :func:`converted_view`)."""
    readers = readers_of(summaries) if readers is None else readers
    return {name: interval([read(s) for s in summaries]) for name, read in readers.items()}


def replication_jobs(
    scenario: Scenario,
    *,
    seed: int,
    replications: int,
    variant: str | None = None,
    out: Path | None = None,
    engine: str = "auto",
) -> list[Replication]:
    """Replications 0..R-1 of ``scenario`` as tasks of ``variant`` (default: the scenario's
    name); with ``out``, replication r writes its files to ``out/replications/r``."""
    return [
        Replication(
            variant=scenario.name if variant is None else variant,
            index=r,
            scenario=scenario,
            seed=replication_seed(seed, r),
            out=str(out / "replications" / str(r)) if out is not None else None,
            engine=engine,
        )
        for r in range(replications)
    ]


def run_replications(
    scenario: Scenario,
    *,
    seed: int,
    replications: int,
    workers: int = 1,
    out: Path | None = None,
    progress: Callable[[int], None] | None = None,
    backend: str = "local",
    address: str | None = None,
    engine: str = "auto",
) -> list[dict]:
    """Run replications 0..R-1 and return summaries in replication order: serially, on
    ``workers`` processes, or on Ray (``backend="ray"``, the cluster at ``address`` or a local
    instance); every backend gives the same summaries. ``progress`` hears how many are done.
    With ``out``, replication r writes its files to ``out/replications/r``.
    ``engine`` walks the agent's graph in each (as :func:`~agent_checkout.sim.run.run_scenario`)."""
    jobs = replication_jobs(scenario, seed=seed, replications=replications, out=out, engine=engine)
    done: list[Replication] = []

    def finished(job: Replication) -> None:
        done.append(job)
        if progress is not None:
            progress(len(done))

    runner = sweep_backend(backend, workers=workers, address=address)
    return runner.run(jobs, finished)


def run_replicated(
    scenario: Scenario,
    *,
    seed: int,
    replications: int,
    workers: int = 1,
    out: Path | None = None,
    progress: Callable[[int], None] | None = None,
    backend: str = "local",
    address: str | None = None,
    engine: str = "auto",
) -> dict:
    """Run R replications (on ``backend``, as :func:`run_replications`) and pool them
    (:func:`pooled_summary`). With ``out``, the run directory gets ``summary.json`` and
    ``replications/r/`` only once every replication has succeeded, and they replace whatever
    an earlier run left there (a single run's ledger included), so the directory always holds
    one run."""
    from agent_checkout.sim.run import write_json
    from agent_checkout.sim.run_dir import staged_run

    how = {
        "workers": workers,
        "progress": progress,
        "backend": backend,
        "address": address,
        "engine": engine,
    }
    if out is None:
        summaries = run_replications(scenario, seed=seed, replications=replications, **how)
        return pooled_summary(scenario, seed, summaries)
    with staged_run(out) as staging:
        summaries = run_replications(
            scenario, seed=seed, replications=replications, out=staging, **how
        )
        summary = pooled_summary(scenario, seed, summaries)
        write_json(staging / "summary.json", summary)
    return summary


#: Integer figures of a single run's summary that pool by plain sums.
ADDITIVE = (
    "sessions",
    "orders",
    "gmv",
    "refunds",
    "refunded",
    "buyer_paid",
    "tax",
    "merchant_net",
    "fees_total",
    "unhandled_errors",
    "oversells",
    "merchant_calls",
    "retries",
    "agent_steps",
    "clicks",
    "click_fees",
    "inference_cost",
    "ai_platform_net",
)

#: Mappings of integers that pool key by key, with the keys a single run lists in a fixed
#: order (the rest are sorted, as there).
ADDITIVE_MAPS: dict[str, Sequence[str]] = {
    "funnel": FUNNEL,
    "fees": (),
    "fees_by_model": (),
    "orders_by_merchant": (),
    "gmv_by_merchant": (),
    "outcomes": OUTCOMES,
    "errors": (),
    "ai_platform_third_party": ("fees", "gmv"),
}

#: Per-channel figures with 95% intervals: ``channel:<name>:<figure>``.
CHANNEL = "channel:"
CHANNEL_FIGURES = ("conversion_rate", "revenue_per_session")


def ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 6) if denominator else 0.0


def pooled_companies(summaries: Sequence[dict]) -> dict[str, dict]:
    """Each company's money summed over replications; a company that one replication lacks
    (a party with no postings there) counts 0 in it, and its parties are the union."""
    names = sorted({name for s in summaries for name in s.get("companies", {})})
    result = {}
    for name in names:
        rows = [s["companies"][name] for s in summaries if name in s.get("companies", {})]
        money = {k: sum(row[k] for row in rows) for k in rows[0] if k not in ("named", "parties")}
        parties = sorted({p for row in rows for p in row["parties"]})
        result[name] = {"named": rows[0]["named"], "parties": parties, **money}
    return result


def pooled_channels(summaries: Sequence[dict]) -> dict[str, dict]:
    """Each channel's funnel and money summed over replications, with its rates recomputed
    from the sums (as :class:`~agent_checkout.sim.metrics.ChannelFigures` does for one run)."""
    names = sorted({name for s in summaries for name in s.get("channels", {})})
    result = {}
    for name in names:
        rows = [s["channels"][name] for s in summaries if name in s.get("channels", {})]
        total = {
            k: sum(row[k] for row in rows)
            for k in ("sessions", "orders", "gmv", "refunded", "clicks", "inference_cost")
        }
        intents = sorted({i for row in rows for i in row["intents"]})
        result[name] = {
            "sessions": total["sessions"],
            "orders": total["orders"],
            "conversion_rate": ratio(total["orders"], total["sessions"]),
            "gmv": total["gmv"],
            "revenue_per_session": total["gmv"] // total["sessions"] if total["sessions"] else 0,
            "aov": total["gmv"] // total["orders"] if total["orders"] else 0,
            "refunded": total["refunded"],
            "fees": summed([row["fees"] for row in rows]),
            "clicks": total["clicks"],
            "inference_cost": total["inference_cost"],
            "funnel": summed([row["funnel"] for row in rows], FUNNEL),
            "intents": {
                intent: summed(
                    [row["intents"][intent] for row in rows if intent in row["intents"]],
                    ("sessions", "orders"),
                )
                for intent in intents
            },
        }
    return result


def channel_intervals(summaries: Sequence[dict]) -> dict[str, dict[str, float]]:
    """Mean and 95% interval of each channel's conversion and revenue per session (a channel
    with no session in a replication reads 0 there)."""
    names = sorted({name for s in summaries for name in s.get("channels", {})})
    return {
        f"{CHANNEL}{name}:{figure}": interval(
            [s.get("channels", {}).get(name, {}).get(figure, 0) for s in summaries]
        )
        for name in names
        for figure in CHANNEL_FIGURES
    }


def pooled_money(blocks: Sequence[dict], fx: FxTable, currency: str) -> dict:
    """The counts and money of summaries in one currency (a one-currency run's whole summary,
    or one currency's block of a mixed run's) pooled: sums, and rates recomputed from them.
    Keys a block lacks (money at the top of a mixed run's summary) stay absent."""
    head = blocks[0]
    totals = {key: sum(b[key] for b in blocks) for key in ADDITIVE if key in head}
    maps = {
        key: summed([b[key] for b in blocks], order)
        for key, order in ADDITIVE_MAPS.items()
        if key in head
    }
    started = maps["funnel"].get("checkout_started", 0)
    pooled = {
        **totals,
        **maps,
        "conversion_rate": ratio(totals["orders"], totals["sessions"]),
        "checkout_abandonment": (
            round(1 - maps["funnel"].get("paid", 0) / started, 6) if started else 0.0
        ),
    }
    if "gmv" in head:
        gmv, orders = totals["gmv"], totals["orders"]
        pooled |= {
            "aov": gmv // orders if orders else 0,
            "take_rate": ratio(totals["fees_total"], gmv),
            "ai_platform_take_rate": take_rate(maps["ai_platform_third_party"]),
        }
    if "inference_fx" in head:
        micros = sum(b["inference_fx"]["usd_micros"] for b in blocks)
        pooled["inference_fx"] = {**fx.describe("usd", currency), "usd_micros": micros}
    if "companies" in head:
        pooled["companies"] = pooled_companies(blocks)
    if "welfare" in head:
        pooled["welfare"] = WelfareTally.pooled(blocks).summary()
    if channels := pooled_channels(blocks):
        pooled["channels"] = channels
    return pooled | pooled_blocks(blocks)


def pooled_currencies(summaries: Sequence[dict], fx: FxTable, currency: str) -> dict:
    """A mixed run's ``currencies`` (each pooled alone: no sum crosses currencies) and its
    ``converted`` totals. The pooled converted total follows a single run's rule applied to
    the pooled sums: each currency's pooled total converted once, rounded half-even, then
    summed. It may differ from the sum of the replications' own converted totals (each
    rounded once) by at most half a minor unit per currency and replication."""
    codes = sorted({code for s in summaries for code in s["currencies"]})
    per_currency = {
        code: {
            key: value
            for key, value in pooled_money(
                [s["currencies"][code] for s in summaries if code in s["currencies"]], fx, code
            ).items()
            if key in COUNT_KEYS + MONEY_KEYS
        }
        for code in codes
    }
    return {
        "currencies": per_currency,
        "converted": converted_totals(per_currency, currency, fx),
    }


def _engine(summaries: Sequence[dict]) -> dict[str, str]:
    """Which engine walked the agent's graph (every replication takes the same one)."""
    engines = sorted({s["engine"] for s in summaries if "engine" in s})
    return {"engine": ",".join(engines)} if engines else {}


def pooled_summary(scenario: Scenario, seed: int, summaries: Sequence[dict]) -> dict:
    """One summary for R replications with a single run's money figures, pooled: every count
    and amount is the sum over replications (so ``buyer_paid == merchant_net + fees_total +
    tax`` still holds exactly), and each rate is recomputed from those sums, never averaged;
    optional blocks (discounts, presales, wrong prices, cohorts) are pooled by
    :mod:`agent_checkout.sim.pooled_blocks`. A mixed run pools each currency alone
    (:func:`pooled_currencies`). ``ci95`` holds the mean and 95% interval of each figure per
    replication, and ``per_replication`` each replication's headline figures (a mixed run's
    in its reporting currency, converted: :func:`converted_view`). Latency and session-time
    percentiles and the time series are per replication only (``replications/r/``)."""
    fx = scenario.fx_table()
    views = [converted_view(s, fx) for s in summaries]
    mixed = "currencies" in summaries[0]
    return {
        "scenario": scenario.name,
        "seed": seed,
        "currency": scenario.currency,
        "replications": len(summaries),
        "seeds": [s["seed"] for s in summaries],
        **_engine(summaries),
        **pooled_money(summaries, fx, scenario.currency),
        **(pooled_currencies(summaries, fx, scenario.currency) if mixed else {}),
        "ci95": aggregate(views) | channel_intervals(summaries),
        "per_replication": [
            {
                k: s[k]
                for k in (
                    "seed",
                    "sessions",
                    "orders",
                    "conversion_rate",
                    "gmv",
                    "fees",
                    "inference_cost",
                    "unhandled_errors",
                    "oversells",
                )
            }
            for s in views
        ],
    }
