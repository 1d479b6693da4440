"""``agent_checkout.run`` and ``agent_checkout.compare``: a run's typed summary with its ledger
as Arrow tables, and a comparison's figures likewise.

Why Arrow: one in-memory columnar format that pandas (``table.to_pandas()``), polars
(``polars.from_arrow(table)``) and DuckDB all read without a copy of the logic, so the API
needs neither of them. A run always keeps a ledger for its tables: in ``out`` when given,
otherwise in a temporary folder that is read and removed before ``run`` returns.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from agent_checkout.api.scenario_input import ScenarioInput, prepared_scenario
from agent_checkout.api.summary import ComparisonSummary, RunSummary
from agent_checkout.ledger.arrow import ledger_tables_arrow
from agent_checkout.sim.scenario import Scenario

#: The ``sessions`` table: one row per session, in session order.
SESSION_SCHEMA = pa.schema(
    [
        ("session_id", pa.string()),
        ("channel", pa.string()),
        ("intent", pa.string()),
        ("outcome", pa.string()),
        ("started_at", pa.timestamp("us")),
        ("ended_at", pa.timestamp("us")),
        ("merchant_calls", pa.int64()),
        ("agent_steps", pa.int64()),
        ("inference_micros", pa.int64()),
    ]
)


@dataclass(frozen=True)
class Run:
    """A finished run: ``summary`` (typed, ``dict(run.summary)`` for plain data) and every
    ledger table plus ``sessions`` as Arrow tables (``run.orders``, ``run.fee_lines``, ...)."""

    summary: RunSummary
    tables: Mapping[str, pa.Table]
    scenario: Scenario
    out: Path | None = None
    untraced: list[int] = field(default_factory=list)

    @property
    def orders(self) -> pa.Table:
        return self.tables["orders"]

    @property
    def fee_lines(self) -> pa.Table:
        return self.tables["fee_lines"]

    @property
    def sessions(self) -> pa.Table:
        return self.tables["sessions"]

    @property
    def postings(self) -> pa.Table:
        return self.tables["postings"]

    def __getattr__(self, name: str) -> pa.Table:
        if name.startswith("_") or name not in self.__dict__.get("tables", {}):
            raise AttributeError(f"a run has no {name!r} (tables: {', '.join(self.tables)})")
        return self.tables[name]

    def __repr__(self) -> str:  # the headline, not twenty thousand rows
        s = self.summary
        return (
            f"Run(scenario={s.scenario!r}, seed={s.seed}, sessions={s.sessions}, "
            f"orders={s.orders}, tables={list(self.tables)})"
        )

    def sql(self, query: str) -> pa.Table:
        """``query`` (DuckDB SQL) over this run's tables, as an Arrow table."""
        import duckdb

        con = duckdb.connect()
        try:
            for name, table in self.tables.items():
                con.register(name, table)
            return con.sql(query).to_arrow_table()
        finally:
            con.close()


@dataclass(frozen=True)
class Comparison:
    """A finished comparison: ``summary`` (what ``comparison.json`` holds, typed) and
    ``figures``, one row per variant and figure with its mean and 95% interval."""

    summary: ComparisonSummary
    figures: pa.Table
    out: Path | None = None


def run(
    scenario: ScenarioInput,
    *,
    seed: int | None = None,
    set: Mapping[str, Any] | None = None,  # noqa: A002 - the CLI's --set, by its name
    sessions: int | None = None,
    out: str | Path | None = None,
    trace: Sequence[int] | None = None,
    progress: Callable[[int], None] | None = None,
    engine: str = "auto",
) -> Run:
    """Simulate ``scenario`` (a built-in name, a file or a :class:`Scenario`) once.

    ``set`` changes fields by dotted path (``{"arrivals.rate_per_minute": 10}``), ``sessions``
    shortens the run; with ``out`` the run's files stay there (as ``agent-checkout run --out``).
    ``engine`` walks the agent's graph: ``"langgraph"``, ``"fast"`` or ``"auto"`` (as
    ``run --engine``; the summary's ``engine`` says which ran).
    Raises :class:`ScenarioError` for a bad scenario or override, ``ValueError`` for a bad seed
    or an engine that cannot run the scenario.
    """
    from agent_checkout.sim.run import run_scenario

    prepared = prepared_scenario(scenario, set, sessions)
    log: list[tuple] = []
    with tempfile.TemporaryDirectory(prefix="agent-checkout-") as scratch:
        target = Path(out) if out is not None else Path(scratch) / "run"
        result = run_scenario(
            prepared,
            seed=seed,
            out=target,
            trace=trace,
            progress=progress,
            session_log=log,
            engine=engine,
        )
        tables = ledger_tables_arrow(target)
    tables["sessions"] = sessions_table(log, prepared.start)
    return Run(
        summary=RunSummary(result.summary),
        tables=tables,
        scenario=prepared,
        out=result.out if out is not None else None,
        untraced=result.untraced,
    )


def sessions_table(log: Sequence[tuple], start: datetime) -> pa.Table:
    """The session log (:attr:`Simulation.session_log`) as Arrow, times in UTC as the ledger's."""
    origin = start.astimezone(UTC).replace(tzinfo=None)
    rows = [
        {
            "session_id": label,
            "channel": channel,
            "intent": intent,
            "outcome": outcome,
            "started_at": origin + timedelta(seconds=started),
            "ended_at": origin + timedelta(seconds=ended),
            "merchant_calls": calls,
            "agent_steps": steps,
            "inference_micros": cost,
        }
        for label, channel, intent, outcome, started, ended, calls, steps, cost in sorted(log)
    ]
    return pa.Table.from_pylist(rows, schema=SESSION_SCHEMA)


def compare(
    scenario: ScenarioInput,
    vary: str | None = None,
    *,
    fee_models: Sequence[str] | None = None,
    seed: int | None = None,
    replications: int = 5,
    workers: int = 1,
    set: Mapping[str, Any] | None = None,  # noqa: A002 - the CLI's --set, by its name
    sessions: int | None = None,
    out: str | Path | None = None,
    backend: str = "local",
    address: str | None = None,
) -> Comparison:
    """Variants of ``scenario`` on common random numbers, as ``agent-checkout compare``:
    ``vary="agent.ranking=neutral,sponsored"`` or ``fee_models=["a", "b"]`` (one of them).
    With ``out`` (a directory) the comparison is also written to ``out/comparison.json``.
    ``backend="ray"`` runs the replications on Ray (the cluster at ``address``, else a local
    instance), with the same results."""
    from agent_checkout.sim.compare import (
        compare_models,
        compare_variants,
        parse_vary,
        variants_of,
        write_comparison,
    )

    if (vary is None) == (fee_models is None):
        raise ValueError("compare: give vary='PATH=V1,V2' or fee_models=[...], one of them")
    prepared = prepared_scenario(scenario, set, sessions)
    seed = prepared.seed if seed is None else seed
    how = {
        "seed": seed,
        "replications": replications,
        "workers": workers,
        "backend": backend,
        "address": address,
    }
    if fee_models is not None:
        found = compare_models(prepared, list(fee_models), **how)
    else:
        path, values = parse_vary(vary)
        found = compare_variants(prepared, variants_of(prepared, path, values), vary=path, **how)
    if out is not None:
        Path(out).mkdir(parents=True, exist_ok=True)
        write_comparison(Path(out) / "comparison.json", found)
    return Comparison(
        summary=ComparisonSummary(found),
        figures=pa.Table.from_pylist(found["table"]),
        out=Path(out) if out is not None else None,
    )
