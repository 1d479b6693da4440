"""Run a scenario: the one entry point the CLI and the Python API share.

The run writes ``summary.json`` and ``ledger.duckdb`` into ``out`` only when it has finished:
both are built in a staging folder and replace the earlier run's files at the end
(:mod:`agent_checkout.sim.run_dir`), so an interrupted or failed run loses nothing that an
earlier run wrote there.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agent_checkout.agent.policy import CheckoutPolicy
from agent_checkout.fees.library import load_fee_model
from agent_checkout.fees.model import FeeModel
from agent_checkout.ledger.store import Ledger
from agent_checkout.sim.arrival_peak import arrival_peak
from agent_checkout.sim.arrivals import Flat
from agent_checkout.sim.channels import ChannelMix
from agent_checkout.sim.cohorts import CohortBook, post_cohorts
from agent_checkout.sim.currency_markets import CurrencyMarkets
from agent_checkout.sim.currency_summary import mixed_summary
from agent_checkout.sim.metrics import RunMetrics
from agent_checkout.sim.passthrough import pass_through
from agent_checkout.sim.run_dir import staged_run
from agent_checkout.sim.scenario import Scenario, ScenarioError, ShoppersSpec, load_scenario
from agent_checkout.sim.scenario_policy import scenario_policy
from agent_checkout.sim.shoppers import ShopperPopulation, SimulatedShopper
from agent_checkout.sim.simulation import Simulation
from agent_checkout.sim.streams import SEED_MAX, RandomStreams
from agent_checkout.sim.users import plan_visits
from agent_checkout.sim.wrong_price import PriceErrors
from merchants import Merchant, MerchantProfile, PaymentProcessor, build_merchants
from merchants.markets import market_for
from merchants.presales import PresaleError


@dataclass
class RunResult:
    """A finished run: its summary, where its files went (None: nowhere), and the sessions
    asked for by ``trace`` that the run never reached (so no trace file was written)."""

    summary: dict
    out: Path | None
    untraced: list[int] = field(default_factory=list)


def fee_models_for(scenario: Scenario) -> dict[str, list[FeeModel]]:
    """Per merchant: the AI platform's models, then the merchant platform's own."""
    ai = [load_fee_model(name) for name in scenario.fees.ai_platform]
    return {
        p.id: ai + [load_fee_model(name) for name in p.fee_models]
        for p in scenario.merchant_profiles()
    }


def build_market(scenario: Scenario, seed: int) -> tuple[dict[str, Merchant], PaymentProcessor]:
    """The scenario's merchants and payment processor, as every replication with ``seed`` sees
    them: ``run`` simulates them, ``serve`` puts them on HTTP."""
    streams = RandomStreams(seed)
    processor = PaymentProcessor(
        rng=streams.stream("declines"),
        decline_rates=scenario.payments.decline_rates,
        three_ds_rate=scenario.payments.three_ds_rate,
    )
    try:
        merchants = build_merchants(
            scenario.merchant_profiles(),
            seed=streams.seed_for("catalogs") % 2**31,
            processor=processor,
        )
    except PresaleError as problem:
        raise ScenarioError(f"{scenario.name}: {problem}") from None
    if scenario.fees.pass_through:
        models = fee_models_for(scenario)
        for merchant in merchants.values():
            pass_through(merchant, models[merchant.id], scenario.fees.pass_through)
    return dict(merchants), processor


def presale_problem(scenario: Scenario, seed: int) -> str | None:
    """``field: message`` if a presale's deposit is not below a price it covers in the
    catalogs ``seed`` builds (generated prices depend on it), else None."""
    if not any(p.presales for p in scenario.merchant_profiles()):
        return None
    try:
        build_market(scenario, seed)
    except ScenarioError as problem:
        return str(problem).removeprefix(f"{scenario.name}: ")
    return None


def build_simulation(
    scenario: Scenario,
    seed: int,
    ledger: Ledger | None = None,
    *,
    shadow_prices: bool = False,
    policy: CheckoutPolicy | None = None,
    engine: str = "auto",
) -> Simulation:
    """Everything one replication of ``scenario`` needs, drawn from ``seed``'s streams;
    ``policy`` replaces the scenario's agent policy (a test's own agent); ``engine``
    (langgraph, fast or auto) walks the agent's graph (:mod:`agent_checkout.agent.engines`).

    With ``shadow_prices`` the sessions drawn to state a wrong price state it right: the run
    that prices what the errors cost (:mod:`agent_checkout.sim.wrong_price`)."""
    streams = RandomStreams(seed)
    profiles = scenario.merchant_profiles()
    merchants, processor = build_market(scenario, seed)
    markets = currency_markets(scenario, streams)
    populations = {
        currency: _population(scenario, [p for p in profiles if p.currency == currency], streams)
        for currency in scenario.currencies()
    }
    if markets is None:
        shopper = next(iter(populations.values())).shopper
    else:

        def shopper(index: int, spec: ShoppersSpec | None = None) -> SimulatedShopper:
            return populations[markets.currency_of(index)].shopper(index, spec)

    channels = (
        ChannelMix(scenario.channels, scenario.shoppers, shopper, streams)
        if scenario.channels is not None
        else None
    )
    fee_models = fee_models_for(scenario)
    ai_models = fee_models[profiles[0].id][: len(scenario.fees.ai_platform)]
    arrivals = scenario.arrivals
    gaps, cohorts = arrivals.gaps(streams.stream("arrivals")), None
    if scenario.users is not None:  # the users' visits are the arrivals
        plan = plan_visits(scenario.users, streams)
        if arrivals.sessions is not None:  # a shorter run: its first visits only
            plan.visits = plan.visits[: arrivals.sessions]
        gaps = plan.gaps()
        cohorts = CohortBook(scenario.users, plan, scenario.agent.cost_per_step_micros)
    return Simulation(
        merchants=merchants,
        processor=processor,
        shopper=shopper,
        arrival_gaps=gaps,
        start=scenario.start,
        streams=streams,
        fee_models=fee_models,
        policy=policy or scenario_policy(scenario),
        search_limit=scenario.agent.search_limit,
        ledger=ledger,
        cost_per_step_micros=scenario.agent.cost_per_step_micros,
        faults=scenario.faults,
        resolution_seconds=scenario.metrics.resolution_seconds,
        monetization=scenario.monetization,
        returns=scenario.returns,
        channels=channels,
        ai_fee_models=ai_models,
        markets=markets,
        price_errors=price_errors(scenario, streams, shadow=shadow_prices),
        cohorts=cohorts,
        engine=engine,
    )


def price_errors(scenario: Scenario, streams: RandomStreams, *, shadow: bool) -> PriceErrors | None:
    """The scenario's wrong stated prices; a rate of 0 is no knob at all (the same run)."""
    spec = scenario.agent.wrong_price
    if spec is None or spec.rate == 0:
        return None
    return PriceErrors(spec, streams, shadow=shadow)


def currency_markets(scenario: Scenario, streams: RandomStreams) -> CurrencyMarkets | None:
    """For merchants in several currencies, which currency market each session shops in."""
    profiles = scenario.merchant_profiles()
    if len(scenario.currencies()) < 2:
        return None
    return CurrencyMarkets(
        shares=scenario.session_shares(),
        merchants={c: [p.id for p in profiles if p.currency == c] for c in scenario.currencies()},
        streams=streams,
    )


def _population(
    scenario: Scenario, profiles: list[MerchantProfile], streams: RandomStreams
) -> ShopperPopulation:
    """The shoppers of one currency's market: needs from what its merchants sell, budgets at
    its price levels (the first merchant's market, merchants.markets)."""
    categories: dict[str, float] = {}
    for profile in profiles:
        for name, weight in (profile.catalog.categories or {}).items():
            categories[name] = categories.get(name, 0.0) + weight
    first = profiles[0]
    market = market_for(first.currency, first.catalog.market)
    return ShopperPopulation(scenario.shoppers, categories, streams, market)


def engine_problem(scenario: Scenario, engine: str) -> str | None:
    """``engine NAME: why`` when ``engine`` is unknown or cannot run ``scenario``'s agent
    (:func:`~agent_checkout.agent.engines.chosen_engine`), checked before a run; else None."""
    from agent_checkout.agent.engines import chosen_engine
    from agent_checkout.agent.graph import build_checkout_graph

    try:
        chosen_engine(engine, build_checkout_graph(), scenario_policy(scenario))
    except ValueError as problem:
        return str(problem)
    return None


def check_seed(seed: int) -> None:
    """Refuse a root seed the ledger cannot store, before anything is written."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise ValueError(f"seed {seed!r}: give a whole number from 0 to {SEED_MAX} (2**63 - 1)")


def untraceable(scenario: Scenario, trace: Sequence[int]) -> list[int]:
    """Sessions in ``trace`` that cannot happen: negative, or past the scenario's session count
    (when the run is bounded by duration only, that is known only after it)."""
    sessions = scenario.arrivals.sessions
    return [i for i in trace if i < 0 or (sessions is not None and i >= sessions)]


def run_scenario(
    scenario: Scenario | str | Path,
    *,
    seed: int | None = None,
    out: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    trace: Sequence[int] | None = None,
    policy: CheckoutPolicy | None = None,
    session_log: list[tuple] | None = None,
    engine: str = "auto",
) -> RunResult:
    """Simulate ``scenario`` (a :class:`Scenario`, a built-in name such as ``"quickstart"``, or a
    scenario file) with ``seed`` (default: the scenario's own) and summarise it.

    With ``out`` (a directory; its parents are created) the run writes ``out/summary.json``,
    ``out/ledger.duckdb`` and, for each session in ``trace``, ``out/trace-sNNNNNNN.jsonl``;
    they replace an earlier run's files there only once this run has succeeded. Without
    ``out`` nothing is written and no ledger is kept: the summary is all there is (give
    ``out`` to query or re-price the run afterwards). Raises :class:`ScenarioError` for a bad
    scenario and ``ValueError`` for a bad seed or trace; sessions of ``trace`` the run never
    reached are listed in :attr:`RunResult.untraced`, and no file is written for them.
    ``policy`` (any :class:`CheckoutPolicy`) replaces the scenario's agent.
    A ``session_log`` list gets one row per session as it ends
    (:attr:`~agent_checkout.sim.simulation.Simulation.session_log`). ``engine`` walks the
    agent's graph: ``langgraph``, ``fast`` or ``auto`` (fast where the run allows;
    :mod:`agent_checkout.agent.engines`); the summary's ``engine`` says which ran, and is the
    one field in which the two engines' summaries differ.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    seed = scenario.seed if seed is None else seed
    check_seed(seed)
    trace = list(trace or [])
    if bad := untraceable(scenario, trace):
        raise ValueError(
            f"trace: session {bad[0]} is not in the run "
            f"(sessions are numbered 0 to {scenario.arrivals.sessions - 1})"
            if bad[0] >= 0
            else f"trace: session {bad[0]} is not in the run (sessions are numbered from 0)"
        )
    if out is None:
        summary, untraced = _simulate(
            scenario, seed, None, progress, trace, policy, session_log, engine
        )
        return RunResult(summary=summary, out=None, untraced=untraced)
    out_dir = Path(out)
    with staged_run(out_dir) as staging:
        summary, untraced = _simulate(
            scenario, seed, staging, progress, trace, policy, session_log, engine
        )
    return RunResult(summary=summary, out=out_dir, untraced=untraced)


def _simulate(
    scenario: Scenario,
    seed: int,
    out_dir: Path | None,
    progress: Callable[[int], None] | None,
    trace: Sequence[int],
    policy: CheckoutPolicy | None = None,
    session_log: list[tuple] | None = None,
    engine: str = "auto",
) -> tuple[dict, list[int]]:
    """Run once; with ``out_dir`` (a fresh folder) write the ledger, summary and traces there.
    Returns the summary and the traced sessions the run never reached."""
    ledger = Ledger(out_dir / "ledger.duckdb") if out_dir is not None else None
    try:
        simulation = build_simulation(scenario, seed, ledger, policy=policy, engine=engine)
        if ledger is not None:
            ledger.start_run(
                scenario=scenario.name,
                seed=seed,
                currency=",".join(scenario.currencies()),
                fee_models=sorted({m.name for ms in simulation.fee_models.values() for m in ms}),
                pass_through=scenario.fees.pass_through,
                ranking=scenario.agent.ranking.name,
            )
        simulation.on_session_end = progress
        simulation.session_log = session_log
        traces = [simulation.trace(index) for index in dict.fromkeys(trace)]
        metrics = simulation.run()
        if simulation.cohorts is not None:
            cohorts = post_cohorts(simulation, scenario, ledger)
        if ledger is not None:  # written and closed first: its peak and the summary's never add
            ledger.close()
            ledger = None
        summarise = mixed_summary if simulation.by_currency else _one_currency
        summary = summarise(
            metrics,
            simulation.by_currency,
            scenario=scenario.name,
            seed=seed,
            currency=scenario.currency,
            oversells=simulation.oversold_units(),
            fx=scenario.fx_table(),
            companies=scenario.companies,
        )
        curved = not isinstance(scenario.arrivals.curve, Flat)
        if curved and (peak := arrival_peak(summary["timeseries"])):  # how sharp it really was
            summary["arrival_peak"] = peak
        if simulation.wrong_prices is not None:  # what the errors cost: the same run without
            shadow = build_simulation(
                scenario, seed, shadow_prices=True, policy=policy, engine=engine
            )
            shadow.run()
            summary["wrong_price"] = simulation.wrong_prices.summary(shadow.wrong_prices)
        if simulation.cohorts is not None:
            summary["cohorts"] = cohorts
        summary["engine"] = simulation.engine.name  # the only field the engines differ in
    finally:
        if ledger is not None:
            ledger.close()
    untraced = [int(t.session[1:]) for t in traces if not t.records]
    if out_dir is not None:
        write_json(out_dir / "summary.json", summary)
        for session_trace in traces:
            if session_trace.records:  # a session the run never reached has nothing to say
                session_trace.write(out_dir / f"trace-{session_trace.session}.jsonl")
    return summary, untraced


def _one_currency(metrics: RunMetrics, _by_currency: dict, **figures) -> dict:
    return metrics.summary(**figures)


def write_json(path: Path, data: dict) -> None:
    """Write atomically, with sorted keys, so equal data gives equal bytes; streamed piece by
    piece, so a long run's time series is never one string in memory."""
    tmp = path.with_suffix(path.suffix + ".partial")
    with tmp.open("w") as out:
        json.dump(data, out, indent=2, sort_keys=True)
        out.write("\n")
    os.replace(tmp, path)
