"""Compare variants of a scenario on common random numbers: fee models, rankings, any field.

A variant is the scenario with one field changed (:func:`vary`: a dotted path such as
``agent.ranking`` and a value); every variant runs the same replications with the same seeds,
so replication r of every variant sees the same shoppers arriving at the same times, and any
difference between variants is the change's, not chance's. A neutrality audit varies the
ranking and reads shopper welfare (:mod:`agent_checkout.sim.welfare`) against the platform's
revenue, each with its 95% interval.

Fee models are the common case (:func:`compare_models`): each model replaces the AI platform's
fee models (the merchants' platform fees stay). With pass-through 0 fees change nobody's
behaviour and demand is identical across variants; above 0, merchants raise prices by a share
of their fees and demand moves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from agent_checkout.fees.library import load_fee_model
from agent_checkout.sim.converted_view import converted_view
from agent_checkout.sim.currency_summary import conversion_label
from agent_checkout.sim.faults import StockOut
from agent_checkout.sim.replications import aggregate, interval, readers_of, run_replications
from agent_checkout.sim.scenario import Scenario, catalog_problem, describe
from agent_checkout.sim.scenario_ranking import scenario_ranking
from merchants.catalog_files import CatalogFileError, load_catalog
from merchants.store_files import load_store

#: Fields a variant may not change: the root seed is what makes the random numbers common.
FIXED = {"seed": "the root seed is common to every variant (give --seed to change it)"}


class VariantError(ValueError):
    """A variant that cannot be built; the message is one line naming the path and value."""


def variant(scenario: Scenario, model: str) -> Scenario:
    """``scenario`` with ``model`` as the AI platform's only fee model."""
    load_fee_model(model)  # fail early, with the library's one-line message
    problem = scenario.currency_problem(ai_platform=[model])  # e.g. usd amounts, cny merchant
    problem = problem or scenario.billing_problem(ai_platform=[model])  # clicks billed twice
    if problem:
        raise ValueError(problem.removeprefix("fees.ai_platform: "))
    fees = scenario.fees.model_copy(update={"ai_platform": [model]})
    return scenario.model_copy(update={"fees": fees})


def split_values(text: str) -> list[str]:
    """Comma-separated values, except commas inside brackets, braces or quotes, so a value may
    be a YAML flow collection: ``neutral,{name: sponsored, params: {slots: 2}}``."""
    parts, current, depth, quote = [], [], 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return parts


def parse_vary(text: str) -> tuple[str, list[tuple[str, Any]]]:
    """``PATH=V1,V2,...`` as the path and each value's text with its YAML reading."""
    path, equals, values = text.partition("=")
    path = path.strip()
    if not equals or not path:
        raise VariantError(
            f"{text!r}: give PATH=VALUE,VALUE,... (e.g. agent.ranking=neutral,sponsored)"
        )
    texts = split_values(values)
    if texts == [""]:
        raise VariantError(f"{path}: give at least one value after '='")
    parsed = []
    for item in texts:
        if not item:
            raise VariantError(f"{path}={values}: an empty value (separate values with ,)")
        if texts.count(item) > 1:
            raise VariantError(f"{path}: the value {item!r} is named twice")
        try:
            parsed.append((item, yaml.safe_load(item)))
        except yaml.YAMLError:
            raise VariantError(f"{path}={item}: not a YAML value") from None
    return path, parsed


def vary(scenario: Scenario, path: str, value: Any) -> Scenario:
    """``scenario`` with the field at dotted ``path`` set to ``value``, validated as a scenario
    file is. A bare name where the field is a named object (``agent.ranking=sponsored``)
    stands for ``{name: sponsored}`` with that object's defaults; a merchant named by its
    profile becomes ``{profile: NAME}`` so its fields can be reached (``merchants.0.capacity``).
    Raises :class:`VariantError` with one line that starts with the field at fault."""
    keys = path.split(".")
    top = keys[0]
    if top not in Scenario.model_fields:
        raise VariantError(f"{top}: the scenario has no such field")
    if top in FIXED:
        raise VariantError(f"{top}: {FIXED[top]}")
    # Only the fields the scenario set, so derived ones (its currency) follow the change.
    data: dict[str, Any] = {name: getattr(scenario, name) for name in scenario.model_fields_set}
    section = scenario.model_dump(mode="python")[top] if len(keys) > 1 else None
    if len(keys) == 1:
        data[top] = _named(getattr(scenario, top), value)
    else:
        data[top] = section
        parent: Any = section
        for depth, key in enumerate(keys[1:-1], start=1):
            parent = _step(parent, key, keys[: depth + 1])
        last = keys[-1]
        if isinstance(parent, list):
            index = _index(parent, last, keys)
            parent[index] = _named(parent[index], value)
        else:
            parent[last] = _named(parent.get(last), value)
    try:
        changed = Scenario.model_validate(data)
    except ValidationError as problem:
        raise VariantError(describe(problem)) from None
    problem_text = variant_problem(changed)
    if problem_text:
        raise VariantError(problem_text)
    return changed


def _named(current: Any, value: Any) -> Any:
    """A bare name for a named object: the scenario's own object if it has that name (its
    parameters kept), else the named object with its defaults."""
    if isinstance(current, BaseModel):
        current = current.model_dump(mode="python")
    if not (isinstance(value, str) and isinstance(current, dict) and "name" in current):
        return value
    return current if current["name"] == value else {"name": value}


def _step(parent: dict | list, key: str, keys: list[str]) -> Any:
    """The field ``key`` of ``parent`` (``keys`` is the path to it), to descend into."""
    if isinstance(parent, list):
        index = _index(parent, key, keys)
        if isinstance(parent[index], str):  # a merchant named by its profile
            parent[index] = {"profile": parent[index]}
        return parent[index]
    where = ".".join(keys)
    if key not in parent:
        raise VariantError(f"{where}: the scenario has no such field")
    if not isinstance(parent[key], dict | list):
        raise VariantError(f"{where}: a single value, so nothing under it can vary")
    return parent[key]


def _index(items: list, key: str, keys: list[str]) -> int:
    if not key.isdigit() or int(key) >= len(items):
        raise VariantError(f"{'.'.join(keys)}: {key!r} is not an index (0 to {len(items) - 1})")
    return int(key)


def variant_problem(scenario: Scenario) -> str | None:
    """``field: message`` for what a scenario file's loader checks beyond its fields' types
    (profiles, catalogs, fault targets, ranking parameters, fee models), else None."""
    try:
        profiles = scenario.merchant_profiles()
    except ValidationError as problem:
        return f"merchants: the profile is invalid: {describe(problem)}"
    except (FileNotFoundError, ValueError, yaml.YAMLError) as problem:
        return f"merchants: {problem}"
    for index, profile in enumerate(profiles):
        try:
            if profile.catalog.file is not None:
                load_catalog(profile.catalog.file, profile.currency)
            if profile.store is not None:
                load_store(profile.store, profile.currency)
        except (FileNotFoundError, CatalogFileError) as problem:
            return f"merchants.{index}: {problem}"
        problem_text = catalog_problem(profile)
        if problem_text:
            return f"merchants.{index}.catalog.{problem_text}"
    servers = {p.id for p in profiles} | {"psp"}
    for index, fault in enumerate(scenario.faults):
        target = fault.merchant if isinstance(fault, StockOut) else fault.server
        if target not in servers - ({"psp"} if isinstance(fault, StockOut) else set()):
            return f"faults.{index}: unknown server {target!r}"
    named = [("fees", n) for n in scenario.fee_model_names()] + scenario.channel_fee_models()
    for where, name in named:
        try:
            load_fee_model(name)
        except (KeyError, FileNotFoundError, ValueError) as problem:
            return f"{where}: {problem.args[0] if problem.args else problem}"
    try:
        scenario_ranking(scenario)
    except ValueError as problem:
        return f"agent.ranking: {problem}"
    return scenario.currency_problem()


def variants_of(scenario: Scenario, path: str, values: Sequence[tuple[str, Any]]) -> dict:
    """Every variant, built and checked before any runs, by label: the value's text, or the
    name of a named object (``sponsored`` for ``{name: sponsored, params: ...}``) where those
    names tell the variants apart. Raises :class:`VariantError` naming ``PATH=VALUE``."""
    built = {}
    for text, value in values:
        try:
            built[text] = vary(scenario, path, value)
        except VariantError as problem:
            raise VariantError(f"{path}={text}: {problem}") from None
    names = [v.get("name") if isinstance(v, dict) else v for _, v in values]
    if all(isinstance(n, str) for n in names) and len(set(names)) == len(names):
        built = dict(zip(names, built.values(), strict=True))
    currencies = sorted({v.currency for v in built.values()})
    if len(currencies) > 1:
        raise VariantError(
            f"{path}: the variants sell in {' and '.join(c.upper() for c in currencies)}; "
            "compare variants of one currency"
        )
    return built


def compare_variants(
    scenario: Scenario,
    variants: Mapping[str, Scenario],
    *,
    seed: int,
    replications: int,
    workers: int = 1,
    progress: Callable[[str, int], None] | None = None,
    vary: str = "",
) -> dict:
    """Run every variant on the same replications; figures with 95% intervals, paired
    differences to the first variant, whether demand and arrivals stayed the same, a table.
    A mixed run's figures are read on its totals converted to the reporting currency
    (:func:`~agent_checkout.sim.converted_view.converted_view`); ``converted`` says how."""
    runs: dict[str, list[dict]] = {}
    for label, changed in variants.items():
        summaries = run_replications(
            changed,
            seed=seed,
            replications=replications,
            workers=workers,
            progress=(lambda done, v=label: progress(v, done)) if progress else None,
        )
        runs[label] = [converted_view(s, changed.fx_table()) for s in summaries]
    labels = list(variants)
    baseline = runs[labels[0]]
    readers = readers_of([s for summaries in runs.values() for s in summaries])
    figures = {label: aggregate(summaries, readers) for label, summaries in runs.items()}
    differences = {
        label: {
            name: interval([read(s) - read(b) for s, b in zip(summaries, baseline, strict=True)])
            for name, read in readers.items()
        }
        for label, summaries in runs.items()
    }
    first = variants[labels[0]]
    mixed = len(first.currencies()) > 1
    return {
        "scenario": scenario.name,
        "seed": seed,
        "currency": first.currency,
        **({"converted": conversion_label(first.fx_table(), first.currency)} if mixed else {}),
        "replications": replications,
        "pass_through": first.fees.pass_through,
        "vary": vary,
        "variants": labels,
        "seeds": [s["seed"] for s in baseline],
        "figures": figures,
        "difference_vs_first": differences,
        "demand_identical": _same(runs, _demand),
        "arrivals_identical": _same(runs, _arrivals),
        "table": [
            {"variant": label, "figure": name, **values}
            for label, by_figure in figures.items()
            for name, values in by_figure.items()
        ],
    }


def compare_vary(
    scenario: Scenario | str | Path,
    vary: str,
    *,
    seed: int | None = None,
    replications: int = 5,
    workers: int = 1,
) -> dict:
    """The Python face of ``agent-checkout compare SCENARIO --vary PATH=V1,V2,...``:
    ``compare_vary("first-party-mall", "agent.ranking=neutral,first_party")``. Raises
    :class:`VariantError` for a path or value that does not fit, before anything runs."""
    from agent_checkout.sim.scenario import load_scenario

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    path, values = parse_vary(vary)
    return compare_variants(
        scenario,
        variants_of(scenario, path, values),
        seed=scenario.seed if seed is None else seed,
        replications=replications,
        workers=workers,
        vary=path,
    )


def compare_models(
    scenario: Scenario,
    models: Sequence[str],
    *,
    seed: int,
    replications: int,
    workers: int = 1,
    progress: Callable[[str, int], None] | None = None,
) -> dict:
    """Every fee model as the AI platform's, compared as variants of ``fees.ai_platform``."""
    comparison = compare_variants(
        scenario,
        {model: variant(scenario, model) for model in models},
        seed=seed,
        replications=replications,
        workers=workers,
        progress=progress,
        vary="fees.ai_platform",
    )
    comparison["models"] = list(models)
    for row in comparison["table"]:
        row["model"] = row["variant"]
    return comparison


def _same(runs: Mapping[str, list[dict]], read: Callable[[dict], Any]) -> bool:
    baseline = [read(s) for s in next(iter(runs.values()))]
    return all([read(s) for s in summaries] == baseline for summaries in runs.values())


def _demand(summary: dict) -> tuple:
    """What shoppers did: sessions, orders, what they paid, how sessions ended."""
    return summary["sessions"], summary["orders"], summary["gmv"], summary["outcomes"]


def _arrivals(summary: dict) -> list[tuple[float, int]]:
    """Who came when: arrivals per time bucket."""
    rows = summary["timeseries"]["rows"]
    return [(r["start_seconds"], r["arrivals"]) for r in rows if r["arrivals"]]


def write_comparison(path: Path, comparison: dict) -> None:
    from agent_checkout.sim.run import write_json

    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, comparison)
