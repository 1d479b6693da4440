"""The fast path and LangGraph give the same run: every built-in scenario, several seeds, both
engines, byte-identical ``summary.json`` apart from its ``engine`` line, and the same ledger rows
in the same order; and inside the co-simulation, the same steps and updates, session by session.
A change to the graph, a node or the state that the fast path does not reproduce fails here."""

from __future__ import annotations

import duckdb
import pytest

from agent_checkout.sim.run import build_simulation, run_scenario
from agent_checkout.sim.scenario import builtin_scenarios, load_scenario

SESSIONS = 150  # per run; with every session shopping, SHOPPING
SHOPPING = 60
#: The scenario's own seed, and another.
OTHER_SEED = 20261111
#: Sessions whose merchant calls are traced (trace files compared byte for byte).
TRACED = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55)


def sized(name: str, sessions: int, *, every_session_shops: bool = False):
    """A built-in scenario cut to ``sessions`` (as test_builtin_realism does); with
    ``every_session_shops`` its channels go, so every session reaches the agent and checkout."""
    scenario = load_scenario(name)
    update = {
        "arrivals": scenario.arrivals.model_copy(
            update={"sessions": sessions, "duration_minutes": None}
        )
    }
    if every_session_shops:
        update["channels"] = None
    return scenario.model_copy(update=update)


def ledger_rows(path) -> dict[str, list[tuple]]:
    """Every table of a ledger, rows in the order they were written."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables ORDER BY table_name"
            ).fetchall()
        ]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}
    finally:
        con.close()


def without_engine(summary: bytes, engine: str) -> bytes:
    """``summary.json`` without its ``engine`` line, which must be there exactly once."""
    line = f'  "engine": "{engine}",\n'.encode()
    assert summary.count(line) == 1, f"no engine line {line!r}"
    return summary.replace(line, b"")


#: Each scenario twice: as written on its own seed, and on another seed with every session
#: shopping (most built-ins' sessions end before search; this one drives checkout and pay).
CASES = [(name, None, False) for name in builtin_scenarios()] + [
    (name, OTHER_SEED, True) for name in builtin_scenarios()
]


@pytest.mark.parametrize(
    ("name", "seed", "every_session_shops"),
    CASES,
    ids=[f"{n}-{'shopping' if e else 'as-written'}" for n, _, e in CASES],
)
def test_both_engines_write_the_same_run(name, seed, every_session_shops, tmp_path):
    scenario = sized(
        name, SHOPPING if every_session_shops else SESSIONS, every_session_shops=every_session_shops
    )
    runs = {}
    for engine in ("langgraph", "fast"):
        out = tmp_path / engine
        runs[engine] = run_scenario(
            scenario, seed=seed, out=out, engine=engine, trace=TRACED
        ).summary
        assert runs[engine]["engine"] == engine
    langgraph, fast = (tmp_path / "langgraph", tmp_path / "fast")
    assert without_engine((fast / "summary.json").read_bytes(), "fast") == without_engine(
        (langgraph / "summary.json").read_bytes(), "langgraph"
    )
    assert ledger_rows(fast / "ledger.duckdb") == ledger_rows(langgraph / "ledger.duckdb")
    traces = sorted(p.name for p in fast.glob("trace-*.jsonl"))
    assert traces == sorted(p.name for p in langgraph.glob("trace-*.jsonl"))
    assert traces == [f"trace-s{i:07d}.jsonl" for i in TRACED]
    for name in traces:  # every merchant call stamped with the node that made it
        assert (fast / name).read_bytes() == (langgraph / name).read_bytes()
    assert runs["fast"]["sessions"] == scenario.arrivals.sessions


class Recorded:
    """An engine whose walks log every ``(node, update)`` and the final state."""

    def __init__(self, engine, log: list) -> None:
        self.engine, self.log = engine, log

    def walk(self, context):
        inner, steps = self.engine.walk(context), []
        self.log.append(steps)

        class Walk:
            def __iter__(self):
                for step in inner:
                    steps.append(step)
                    yield step
                steps.append(("final state", inner.state))

            @property
            def state(self):
                return inner.state

        return Walk()


@pytest.mark.parametrize("name", ["merchant-outage", "stress", "quickstart"])
def test_the_fast_path_walks_the_nodes_langgraph_walks(name):
    scenario = sized(name, 60, every_session_shops=True)
    logs: dict[str, list] = {}
    for engine in ("langgraph", "fast"):
        simulation = build_simulation(scenario, scenario.seed, engine=engine)
        assert simulation.engine.name == engine
        logs[engine] = []
        simulation.engine = Recorded(simulation.engine, logs[engine])
        simulation.run()
    assert len(logs["fast"]) == len(logs["langgraph"]) == 60
    for fast, langgraph in zip(logs["fast"], logs["langgraph"], strict=True):
        assert [node for node, _ in fast] == [node for node, _ in langgraph]
        assert fast == langgraph
    nodes = {node for walk in logs["fast"] for node, _ in walk}
    assert {"search", "recommend", "decide", "final state"} <= nodes
