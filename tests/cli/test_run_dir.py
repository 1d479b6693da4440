"""A run directory means one run: a new run replaces the earlier one's files only once it has
succeeded, and every ledger command reads a replicated run, all replications or one."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from agent_checkout.cli import app
from agent_checkout.sim.simulation import Simulation
from tests.conftest import SMALL_SCENARIO

TWENTY = {**SMALL_SCENARIO, "arrivals": {**SMALL_SCENARIO["arrivals"], "sessions": 20}}

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def files(directory) -> dict[str, bytes]:
    """Every file under ``directory`` (relative path -> bytes), staging folders included."""
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def scenario(write_scenario):
    return str(write_scenario(TWENTY))


def test_replicated_run_replaces_a_single_run_and_ledger_commands_read_it(scenario, tmp_path):
    out = tmp_path / "run"
    single = invoke("run", scenario, "--seed", "3", "--out", str(out), "--trace", "1")
    assert single.exit_code == 0, single.output
    (out / "notes.txt").write_text("mine\n")
    assert sorted(files(out)) == [
        "ledger.duckdb",
        "notes.txt",
        "summary.json",
        "trace-s0000001.jsonl",
    ]

    replicated = invoke("run", scenario, "--seed", "3", "--out", str(out), "--replications", "3")
    assert replicated.exit_code == 0, replicated.output
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "replications", "summary.json"]
    assert (out / "notes.txt").read_text() == "mine\n"  # not a run's file: left alone
    summary = json.loads((out / "summary.json").read_text())
    assert [r["orders"] for r in summary["per_replication"]] == [14, 15, 17]
    assert summary["orders"] == 46 and summary["seeds"][0] == 3

    verified = invoke("ledger", "verify", str(out))
    assert verified.exit_code == 0, verified.output
    assert verified.output.splitlines() == [
        "replication 0: ledger balances: 14 orders, 0 refunds, 0 clicks, 134 postings",
        "replication 1: ledger balances: 15 orders, 0 refunds, 0 clicks, 133 postings",
        "replication 2: ledger balances: 17 orders, 0 refunds, 0 clicks, 159 postings",
        "all 3 replications balance",
    ]
    one = invoke("ledger", "verify", str(out), "--replication", "1")
    assert (
        one.output
        == "replication 1: ledger balances: 15 orders, 0 refunds, 0 clicks, 133 postings\n"
    )

    total = invoke(
        "ledger", "query", str(out), "SELECT COUNT(*) AS n FROM orders", "--format", "csv"
    )
    assert total.output == "n\n46\n"  # 14 + 15 + 17, every replication's orders
    by_replication = invoke(
        "ledger",
        "query",
        str(out),
        "SELECT replication, COUNT(*) AS n, SUM(total_amount) AS paid FROM orders "
        "GROUP BY ALL ORDER BY 1",
        "--format",
        "csv",
    )
    assert by_replication.output == "replication,n,paid\n0,14,46259\n1,15,51829\n2,17,54564\n"
    second = invoke(
        "ledger",
        "query",
        str(out),
        "SELECT replication, COUNT(*) AS n FROM orders GROUP BY ALL",
        "--format",
        "csv",
        "--replication",
        "2",
    )
    assert second.output == "replication,n\n2,17\n"

    tables = invoke("ledger", "tables", str(out))
    assert tables.exit_code == 0, tables.output
    assert "orders (46 rows)" in tables.output
    assert "replication integer, order_id varchar" in tables.output

    repriced = invoke("reprice", str(out), "--fee-models", "flat-per-order")
    assert repriced.exit_code == 0, repriced.output
    assert "pooled over 3 replications" in repriced.output
    flat = next(line for line in repriced.output.splitlines() if line.startswith(" flat-per-order"))
    assert flat.split()[1:2] == ["46"]  # orders re-priced: all replications'
    per_replication = [
        line.split()
        for line in repriced.output.splitlines()
        if line.split()[:1] in (["0"], ["1"], ["2"], ["mean"])
    ]
    # flat-per-order charges the AI platform $0.50 an order: 14, 15 and 17 orders.
    assert [row[0] for row in per_replication] == ["0", "1", "2", "mean"]
    assert [row[-1] for row in per_replication] == ["$7.00", "$7.50", "$8.50", "$7.67"]


def test_single_run_replaces_a_replicated_run(scenario, tmp_path):
    out = tmp_path / "run"
    assert invoke("run", scenario, "--out", str(out), "--replications", "2").exit_code == 0
    assert invoke("run", scenario, "--seed", "3", "--out", str(out)).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["ledger.duckdb", "summary.json"]
    verified = invoke("ledger", "verify", str(out))
    assert verified.output == "ledger balances: 14 orders, 0 refunds, 0 clicks, 134 postings\n"
    line = invoke("ledger", "verify", str(out), "--replication", "0")
    assert line.exit_code == 2
    assert line.stderr.strip().endswith("holds a single run, not replications")


def test_a_directory_left_by_an_older_version_is_read_as_its_summary_says(scenario, tmp_path):
    """Before this fix a replicated run left an earlier single run's ledger.duckdb beside its
    replications/; summary.json says which run the directory holds."""
    out = tmp_path / "run"
    assert (
        invoke("run", scenario, "--seed", "3", "--out", str(out), "--replications", "2").exit_code
        == 0
    )
    stale = tmp_path / "stale"
    assert invoke("run", scenario, "--seed", "5", "--out", str(stale)).exit_code == 0
    (stale / "ledger.duckdb").rename(out / "ledger.duckdb")
    verified = invoke("ledger", "verify", str(out))
    assert verified.output.splitlines()[-1] == "all 2 replications balance"


@pytest.mark.parametrize("replications", ["1", "3"])
def test_a_failed_run_leaves_the_earlier_run_whole(scenario, tmp_path, monkeypatch, replications):
    out = tmp_path / "run"
    assert invoke("run", scenario, "--seed", "3", "--out", str(out), "--trace", "2").exit_code == 0
    before = files(out)
    calls = []
    original = Simulation.run

    def interrupted(self):
        calls.append(1)
        if len(calls) == int(replications):  # the last replication, after the others wrote
            raise KeyboardInterrupt
        return original(self)

    monkeypatch.setattr(Simulation, "run", interrupted)
    result = invoke("run", scenario, "--out", str(out), "--replications", replications)
    assert result.exit_code == 130  # interrupted
    assert files(out) == before  # byte for byte, and no staging folder left
    assert sorted(p.name for p in out.iterdir()) == [
        "ledger.duckdb",
        "summary.json",
        "trace-s0000002.jsonl",
    ]


def test_a_failed_run_into_a_new_directory_leaves_nothing(scenario, tmp_path, monkeypatch):
    def broken(self):
        raise RuntimeError("injected")

    monkeypatch.setattr(Simulation, "run", broken)
    out = tmp_path / "new"
    result = invoke("run", scenario, "--out", str(out))
    assert isinstance(result.exception, RuntimeError)
    assert not out.exists()


def test_out_creates_only_the_last_folder(scenario, tmp_path):
    nested = tmp_path / "a" / "b" / "c"
    result = invoke("run", scenario, "--out", str(nested))
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: --out {nested}: its parent folder {nested.parent} does not exist "
        "(only the last folder is created)\n"
    )
    assert not (tmp_path / "a").exists()
    created = invoke("run", scenario, "--out", str(tmp_path / "new"))
    assert created.exit_code == 0, created.output
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["ledger.duckdb", "summary.json"]


def test_the_default_out_is_created_with_its_parent(scenario, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("run", scenario, "--seed", "3")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "runs" / "latest").iterdir()) == [
        "ledger.duckdb",
        "summary.json",
    ]
