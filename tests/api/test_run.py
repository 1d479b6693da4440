"""``agent_checkout.run`` and ``compare``: a typed summary and the ledger as Arrow tables, the
same run ``run_scenario`` gives, overrides by dotted path, and one-line errors."""

from __future__ import annotations

import json
from importlib.metadata import version

import pyarrow as pa
import pytest

import agent_checkout as ac
from agent_checkout import ScenarioError, run_scenario
from agent_checkout.api.runs import SESSION_SCHEMA
from tests.conftest import SMALL_SCENARIO

TWENTY = {**SMALL_SCENARIO, "arrivals": {**SMALL_SCENARIO["arrivals"], "sessions": 20}}


@pytest.fixture(scope="module")
def twenty(tmp_path_factory):
    """Seed 3 of the 20-session scenario (tests/cli/test_python_api.py pins its figures)."""
    import yaml

    path = tmp_path_factory.mktemp("api") / "twenty.yaml"
    path.write_text(yaml.safe_dump(TWENTY))
    return path


@pytest.fixture(scope="module")
def result(twenty):
    return ac.run(twenty, seed=3)


def test_summary_reads_by_attribute_and_stays_a_dict(result, twenty):
    summary = result.summary
    assert (summary.sessions, summary.orders, summary.gmv) == (20, 14, 46259)
    assert summary.fees.ai_platform == 1726 and summary.funnel.paid == 14
    assert (
        summary.companies["merchant:northwind"]["net"]
        == summary.companies["merchant:northwind"].net
    )
    assert dict(summary) == summary.to_dict() == run_scenario(twenty, seed=3).summary
    assert json.loads(json.dumps(summary.to_dict()))["orders"] == 14
    with pytest.raises(AttributeError, match="the summary has no 'cohorts'"):
        summary.cohorts  # noqa: B018
    with pytest.raises(AttributeError, match="a summary is read-only"):
        summary.orders = 1


def test_ledger_tables_are_arrow_and_match_the_summary(result):
    assert isinstance(result.orders, pa.Table)
    assert result.orders.num_rows == result.summary.orders == 14
    assert sum(result.fee_lines.column("amount").to_pylist()) == result.summary.fees_total == 5126
    assert result.out is None  # nothing kept without out
    assert repr(result).startswith("Run(scenario='small', seed=3, sessions=20, orders=14, tables=")
    assert result.runs.to_pylist()[0]["seed"] == 3  # any ledger table by name
    assert result.sql("SELECT COUNT(*) AS n FROM orders").to_pylist() == [{"n": 14}]
    with pytest.raises(AttributeError, match="a run has no 'nope'"):
        result.nope  # noqa: B018


def test_sessions_has_one_row_per_session(result):
    sessions = result.sessions
    assert sessions.schema == SESSION_SCHEMA and sessions.num_rows == 20
    assert sessions.column("session_id").to_pylist()[:2] == ["s0000000", "s0000001"]
    outcomes = sessions.column("outcome").to_pylist()
    counted = {o: n for o, n in result.summary.outcomes.items() if n}
    assert (
        {o: outcomes.count(o) for o in set(outcomes)}
        == counted
        == {
            "purchased": 14,
            "declined_by_shopper": 6,
        }
    )
    assert sum(sessions.column("agent_steps").to_pylist()) == result.summary.agent_steps
    assert sum(sessions.column("merchant_calls").to_pylist()) == result.summary.merchant_calls
    paid = set(result.orders.column("session_id").to_pylist())
    assert paid <= set(sessions.column("session_id").to_pylist())


def test_set_and_sessions_change_the_run_before_it_starts(twenty, tmp_path):
    short = ac.run(twenty, seed=3, sessions=5, out=tmp_path / "r")
    assert short.summary.sessions == 5 and short.sessions.num_rows == 5
    assert short.out == tmp_path / "r" and (tmp_path / "r" / "ledger.duckdb").is_file()
    assert short.orders.num_rows == short.summary.orders
    fast = ac.run(twenty, seed=3, sessions=5, set={"arrivals.rate_per_minute": 1})
    assert fast.scenario.arrivals.rate_per_minute == 1
    assert fast.sessions.column("started_at")[4] != short.sessions.column("started_at")[4]


def test_bad_overrides_are_one_line_scenario_errors(twenty):
    with pytest.raises(ScenarioError, match=r"^set nope=1: nope: the scenario has no such field$"):
        ac.run(twenty, set={"nope": 1})
    with pytest.raises(ScenarioError, match=r"^sessions: 0 is not a whole number of at least 1$"):
        ac.run(twenty, sessions=0)
    with pytest.raises(ValueError, match="give vary='PATH=V1,V2' or fee_models"):
        ac.compare(twenty)


def test_compare_gives_typed_figures_and_an_arrow_table(twenty):
    found = ac.compare(
        twenty, fee_models=["openai-instant-checkout", "flat-per-order"], seed=3, replications=2
    )
    assert found.summary.variants == ["openai-instant-checkout", "flat-per-order"]
    assert found.summary.replications == 2 and found.summary.demand_identical is True
    rows = [row for row in found.figures.to_pylist() if row["figure"] == "orders"]
    assert [row["variant"] for row in rows] == found.summary.variants
    assert rows[0]["mean"] == found.summary.figures["openai-instant-checkout"].orders.mean


def test_version_comes_from_the_package_metadata():
    assert ac.__version__ == version("agent-checkout")
    assert {"run", "compare", "Run", "Summary", "__version__"} <= set(dir(ac))


def test_the_readme_one_liner_prints_two_equal_numbers(capsys):
    """``r.summary.orders`` and ``r.orders.num_rows`` agree (quickstart, shortened)."""
    r = ac.run("quickstart", seed=7, sessions=300)
    print(r.summary.orders, r.orders.num_rows)
    assert capsys.readouterr().out == "3 3\n"
