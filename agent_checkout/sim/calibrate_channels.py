"""Fit each traffic channel's intent mix, and in-chat checkout's acceptance, to per-channel
target conversions by bisection, on the mean of several seeds.

Each channel has one parameter its conversion rises with: its engaged share (the intent mix
:func:`~agent_checkout.sim.channels.engaged_mix` builds) or, for a channel paying in the chat,
``in_chat_acceptance``. Every session draws its channel and intent from its own stream, so the
channels of one run are independent samples: each trial runs the scenario once per seed and
halves every channel's bracket at once. In-chat shoppers are the link-out's population (its
intent mix, trial by trial), so in-chat acceptance is bisected on in-chat conversion relative to
the link-out's in the same runs, times the link-out's target: that ratio hardly depends on the
mix, and the acceptance does not chase the link-out's bracket.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import yaml

from agent_checkout.sim.calibrate import resized, run_seeds
from agent_checkout.sim.channels import CHANNELS, engaged_mix, in_chat_acceptance
from agent_checkout.sim.replications import interval
from agent_checkout.sim.scenario import ChannelSpec, Scenario

#: Target conversion per channel (orders per session), lowest first. docs/sources.md, "Defaults
#: with no public figure", row 'Channel conversion targets': the ratios are published (AI
#: link-out 13% below organic search, affiliate 1.86x it, in-chat a third of it, paid social
#: lowest); the levels and the order of the other shop channels are assumptions.
DEFAULT_TARGETS: dict[str, float] = {
    "ai_in_chat": 0.0047,
    "paid_social": 0.008,
    "ai_link_out": 0.0142,
    "marketplace_assistant": 0.015,
    "organic_search": 0.016,
    "paid_search": 0.018,
    "direct": 0.02,
    "email": 0.022,
    "affiliate": 0.0264,
}
LINK_OUT = "ai_link_out"


@dataclass(frozen=True)
class ChannelFit:
    """One channel's fitted parameter and the conversion it gives, seed by seed."""

    channel: str
    target: float
    parameter: str  # "engaged" (share of sessions not just researching) or "in_chat_acceptance"
    value: float
    top: float  # the bracket was 0 to top: twice the starting value, at most 1
    at_top: bool  # every trial was below target: the target may lie above the bracket
    conversions: tuple[float, ...]  # per seed, in the order of the fit's seeds
    revenue_per_session: int  # mean over the seeds, in minor units

    @property
    def mean(self) -> dict[str, float]:
        """Mean conversion and its 95% interval over the seeds."""
        return interval(self.conversions)


@dataclass(frozen=True)
class ChannelsFit:
    """Every fitted channel, lowest target first, and the whole run's mean conversion."""

    channels: tuple[ChannelFit, ...]
    seeds: tuple[int, ...]
    runs: int  # trials, each one run per seed
    conversion: float

    def scenario_yaml(self, scenario: Scenario) -> str:
        """The ``channels:`` section of ``scenario`` with the fitted values, to paste into it."""
        fitted = {fit.channel: fit for fit in self.channels}
        lines = ["channels:"]
        for name, spec in (scenario.channels or {}).items():
            fit = fitted.get(name)
            entry: dict = {"share": spec.share}
            if fit is not None:
                entry["intents"] = _intents(fit, fitted, spec)
                if fit.parameter == "in_chat_acceptance":
                    entry["in_chat_acceptance"] = fit.value
            if spec.shoppers is not None:
                entry["shoppers"] = spec.shoppers.model_dump(exclude_unset=True)
            flow = yaml.safe_dump(entry, default_flow_style=True, sort_keys=False, width=10_000)
            lines.append(f"  {name}: {flow.strip()}")
        return "\n".join(lines)


def parse_targets(pairs: Iterable[str]) -> dict[str, float]:
    """``channel=conversion`` pairs (``ai_link_out=0.012``), later ones winning."""
    targets: dict[str, float] = {}
    for pair in pairs:
        name, equals, text = (part.strip() for part in pair.partition("="))
        if not equals:
            raise ValueError(f"{pair!r} is not channel=conversion, e.g. ai_link_out=0.012")
        if name not in CHANNELS:
            raise ValueError(f"{name!r} is not a channel (known: {', '.join(CHANNELS)})")
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"{pair!r}: {text!r} is not a number") from None
        if not 0 < value < 1:
            raise ValueError(f"{pair!r}: a target conversion is above 0 and below 1")
        targets[name] = value
    return targets


def fit_channels(
    scenario: Scenario,
    *,
    seeds: Sequence[int],
    targets: Mapping[str, float] | None = None,
    sessions: int | None = None,
    iterations: int = 7,
    workers: int = 1,
    progress: Callable[[str], None] | None = None,
) -> ChannelsFit:
    """Parameters bringing each channel of ``scenario`` with a positive share near its target
    (:data:`DEFAULT_TARGETS` updated by ``targets``) on the mean over ``seeds``."""
    if not scenario.channels:
        raise ValueError(f"{scenario.name} has no channels: section to fit")
    if not seeds:
        raise ValueError("give at least one seed")
    size = sessions if sessions is not None else scenario.arrivals.sessions
    if size is None:
        raise ValueError("the scenario sets a duration, not a session count: give sessions")
    goals = {**DEFAULT_TARGETS, **(targets or {})}
    goals = {name: goals[name] for name in goals if _shared(scenario, name)}
    sized = resized(scenario, size)
    tops = {name: _top(sized, name) for name in goals}
    brackets = {name: (0.0, top) for name, top in tops.items()}
    runs = 0

    def trial(values: Mapping[str, float]) -> tuple[dict, ...]:
        nonlocal runs
        runs += 1
        per_seed = run_seeds(_with_values(sized, values), seeds, _channel_figures, workers)
        if progress is not None:
            means = _means(per_seed)
            progress(
                f"trial {runs}: "
                + ", ".join(f"{n} {means.get(n, 0.0):.2%}" for n in goals)
                + (f" (mean of {len(seeds)} seeds)" if len(seeds) > 1 else "")
            )
        return per_seed

    for _ in range(iterations):
        values = {name: (low + high) / 2 for name, (low, high) in brackets.items()}
        means = _means(trial(values))
        for name, target in goals.items():
            low, high = brackets[name]
            above = _bisected(name, means, goals) > target
            brackets[name] = (low, values[name]) if above else (values[name], high)
    values = {name: round((low + high) / 2, 4) for name, (low, high) in brackets.items()}
    per_seed = trial(values)
    fits = tuple(
        ChannelFit(
            channel=name,
            target=goals[name],
            parameter=_parameter(name),
            value=values[name],
            top=tops[name],
            at_top=tops[name] < 1 and brackets[name][1] == tops[name],
            conversions=tuple(_of(seed, name)[0] for seed in per_seed),
            revenue_per_session=round(statistics.fmean(_of(seed, name)[1] for seed in per_seed)),
        )
        for name in sorted(goals, key=lambda n: (goals[n], n))
    )
    overall = round(statistics.fmean(seed[""][0] for seed in per_seed), 6)
    return ChannelsFit(fits, tuple(seeds), runs, overall)


def _shared(scenario: Scenario, name: str) -> bool:
    spec = (scenario.channels or {}).get(name)
    return spec is not None and spec.share > 0


def _top(scenario: Scenario, name: str) -> float:
    """Twice the channel's starting value (at least 0.1, at most 1): trials stay near the
    current figures, where they run fastest (an engaged session costs far more than one that
    leaves), and a fit that ends at the top says so."""
    spec = (scenario.channels or {})[name]
    if _parameter(name) == "engaged":
        mix = spec.intents or CHANNELS[name].intents
        start = 1 - mix.get("researching", 0.0) / sum(mix.values())
    else:
        start = in_chat_acceptance(name, spec)
    return round(min(1.0, max(2 * start, 0.1)), 6)


def _parameter(name: str) -> str:
    return "in_chat_acceptance" if CHANNELS[name].checkout == "in_chat" else "engaged"


def _with_values(scenario: Scenario, values: Mapping[str, float]) -> Scenario:
    """``scenario`` with each fitted channel's parameter set to ``values``; a channel paying in
    the chat takes the link-out's mix when that is fitted too (the same shoppers)."""
    channels: dict[str, ChannelSpec] = dict(scenario.channels or {})
    for name, value in values.items():
        if _parameter(name) == "engaged":
            update: dict = {"intents": engaged_mix(value)}
        else:
            update = {"in_chat_acceptance": value}
            if LINK_OUT in values:
                update["intents"] = engaged_mix(values[LINK_OUT])
        channels[name] = channels[name].model_copy(update=update)
    return scenario.model_copy(update={"channels": channels})


def _channel_figures(seed: int, summary: dict) -> dict[str, tuple[float, int]]:
    """Each channel's conversion and revenue per session; ``""`` holds the whole run's."""
    figures = {
        name: (c["conversion_rate"], c["revenue_per_session"])
        for name, c in summary["channels"].items()
    }
    whole = summary["gmv"] // summary["sessions"] if summary["sessions"] else 0
    return figures | {"": (summary["conversion_rate"], whole)}


def _means(per_seed: Sequence[Mapping[str, tuple[float, int]]]) -> dict[str, float]:
    """Mean conversion per channel over the seeds (a seed where it had no session counts 0)."""
    names = {name for seed in per_seed for name in seed}
    return {name: statistics.fmean(_of(seed, name)[0] for seed in per_seed) for name in names}


def _of(seed: Mapping[str, tuple[float, int]], name: str) -> tuple[float, int]:
    return seed.get(name, (0.0, 0))


def _bisected(name: str, means: Mapping[str, float], goals: Mapping[str, float]) -> float:
    """What ``name``'s bisection compares with its target: its mean conversion, or for in-chat
    checkout its ratio to the link-out's measured conversion times the link-out's target."""
    mean, link_out = means.get(name, 0.0), means.get(LINK_OUT, 0.0)
    if _parameter(name) == "engaged" or LINK_OUT not in goals or link_out == 0:
        return mean
    return mean / link_out * goals[LINK_OUT]


def _intents(fit: ChannelFit, fitted: Mapping[str, ChannelFit], spec: ChannelSpec) -> dict:
    if fit.parameter == "engaged":
        return engaged_mix(fit.value)
    if LINK_OUT in fitted:
        return engaged_mix(fitted[LINK_OUT].value)
    return dict(spec.intents or CHANNELS[fit.channel].intents)
